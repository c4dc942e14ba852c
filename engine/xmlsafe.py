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


def _decode(raw: bytes, source_name: str) -> str:
    """Decode in the encoding the file declares (BOM or XML declaration); UTF-8 when it declares none.

    Models come from many modelers (ISO-8859-1, windows-1252, UTF-16 ...): any encoding Python knows is read.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif raw.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        head = raw[:200].decode("ascii", errors="replace")
        decl = _DECL_ENCODING_RE.match(head)
        encoding = decl.group(1) if decl else "utf-8"
    try:
        return raw.decode(encoding)
    except LookupError:
        raise SpecInvalidError(f"{source_name}: unknown character encoding {encoding!r} declared") from None
    except UnicodeDecodeError as exc:
        raise SpecInvalidError(
            f"{source_name}: not valid {encoding} text ({exc.reason} at byte {exc.start})") from None


def _to_text(data: bytes | str, source_name: str, max_bytes: int) -> str:
    """Decode and size-check the input."""
    if isinstance(data, str):
        raw_len = len(data.encode("utf-8", errors="surrogatepass"))
        text = data
    elif isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        raw_len = len(raw)
        text = _decode(raw, source_name) if raw_len <= max_bytes else ""
    else:
        raise SpecInvalidError(f"{source_name}: expected bytes or str, got {type(data).__name__}")
    if raw_len > max_bytes:
        raise SpecInvalidError(f"{source_name}: file too large ({raw_len} bytes, limit {max_bytes})")
    return text.lstrip("\ufeff")


def _check_prolog(text: str, source_name: str) -> None:
    """Reject empty input and DTDs before parsing."""
    if not text.strip():
        raise SpecInvalidError(f"{source_name}: empty file")
    match = _DTD_RE.search(text)
    if match:
        raise SpecInvalidError(f"{source_name}: DOCTYPE/ENTITY declarations are not allowed (<!{match.group(1)}>)")


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
    try:
        return etree.tostring(root, method="c14n")
    except etree.C14NError:
        raise SpecInvalidError(_c14n_reason(root)) from None


def _c14n_reason(root: etree._Element) -> str:
    """Explain why canonical XML failed; in practice a relative namespace URI (C14N forbids them)."""
    for element in root.iter():
        for prefix, uri in (element.nsmap or {}).items():
            if uri and ":" not in uri:
                return (f"namespace {prefix or '(default)'}={uri!r} is a relative URI, which canonical XML forbids; "
                        "use an absolute URI (e.g. http://example.org/{uri}) or import the file to fix it")
    return "the XML cannot be put in canonical form (C14N); check namespace declarations"
