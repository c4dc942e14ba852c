"""Hardened XML parsing and canonical form: models come from users, so never expand entities."""
from __future__ import annotations

import re

from lxml import etree

from engine.errors import SpecInvalidError

DEFAULT_MAX_BYTES = 5_000_000

# Any DTD is refused outright: BPMN/DMN never need one, and DTDs are how XXE and
# billion-laughs payloads get in. Checked on the decoded text, before lxml sees it.
_DTD_RE = re.compile(r"<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.IGNORECASE)
_DECL_ENCODING_RE = re.compile(r"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_UTF8_NAMES = {"utf-8", "utf8"}


def _parser() -> etree.XMLParser:
    """Build a parser that cannot touch the network, the disk or expand entities."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
        remove_blank_text=True,
    )


def _to_text(data: bytes | str, source_name: str, max_bytes: int) -> str:
    """Decode and size-check the input; only UTF-8 models are accepted."""
    if isinstance(data, str):
        raw_len = len(data.encode("utf-8", errors="surrogatepass"))
        text = data
    elif isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        raw_len = len(raw)
        try:
            text = raw.decode("utf-8-sig") if raw_len <= max_bytes else ""
        except UnicodeDecodeError as exc:
            raise SpecInvalidError(f"{source_name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    else:
        raise SpecInvalidError(f"{source_name}: expected bytes or str, got {type(data).__name__}")
    if raw_len > max_bytes:
        raise SpecInvalidError(f"{source_name}: file too large ({raw_len} bytes, limit {max_bytes})")
    return text.lstrip("\ufeff")


def _check_prolog(text: str, source_name: str) -> None:
    """Reject empty input, DTDs and non-UTF-8 declarations before parsing."""
    if not text.strip():
        raise SpecInvalidError(f"{source_name}: empty file")
    match = _DTD_RE.search(text)
    if match:
        raise SpecInvalidError(f"{source_name}: DOCTYPE/ENTITY declarations are not allowed (<!{match.group(1)}>)")
    decl = _DECL_ENCODING_RE.match(text)
    if decl and decl.group(1).lower() not in _UTF8_NAMES:
        raise SpecInvalidError(f"{source_name}: only UTF-8 encoded XML is accepted (declared {decl.group(1)})")


def parse_xml(data: bytes | str, source_name: str = "<model>", max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse untrusted XML safely and return the root element with blank text removed."""
    text = _to_text(data, source_name, max_bytes)
    _check_prolog(text, source_name)
    body = _DECL_ENCODING_RE.sub(lambda m: m.group(0).replace(m.group(1), "UTF-8"), text, count=1)
    try:
        root = etree.fromstring(body.encode("utf-8"), _parser())
    except etree.XMLSyntaxError as exc:
        raise SpecInvalidError(f"{source_name}: not well-formed XML: {exc.msg}", details={"line": exc.lineno}) from None
    except (ValueError, etree.LxmlError) as exc:
        raise SpecInvalidError(f"{source_name}: unreadable XML: {exc}") from None
    if root is None:
        raise SpecInvalidError(f"{source_name}: no XML document element")
    if root.getroottree().docinfo.doctype:
        raise SpecInvalidError(f"{source_name}: DOCTYPE declarations are not allowed")
    _strip_blank_text(root)
    return root


def _strip_blank_text(root: etree._Element) -> None:
    """Drop whitespace-only text between elements so formatting never changes the identity."""
    for element in root.iter():
        if len(element) and element.text is not None and not element.text.strip():
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None


def canonical_bytes(root: etree._Element) -> bytes:
    """Return C14N bytes: attribute order and namespace declarations are normalised."""
    return etree.tostring(root, method="c14n")
