"""Electronic results signed with PAdES (pyHanko) by the issuing agency's key, and their verification.

Keys live under MOTCUA_PKI_DIR (default instance/pki, never in git): `agencies/<code>.key.pem` and
`<code>.cert.pem` for each signing agency, and the certificates to trust in `trust/*.pem`. `flask demo load`
(and the tests) create a demo CA there; only a folder holding the demo CA's key issues agency certificates on
first use. A production folder holds the agencies' keys from the real CA and no CA key.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import current_app

T = TypeVar("T")
DEMO_CA = "demo-ca"
FIELD = "ChuKySoCoQuan"


class SigningKeyMissingError(Exception):
    """No key for the agency and no demo CA to issue one."""


def pki_dir() -> Path:
    return Path(current_app.config.get("PKI_DIR") or Path(current_app.instance_path) / "pki")


def _safe(code: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", code or ""):
        raise SigningKeyMissingError(f"not an agency code: {code!r}")
    return code


def _write_key(path: Path, key) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    passphrase = current_app.config.get("SIGNING_KEY_PASSPHRASE")
    encryption = (serialization.BestAvailableEncryption(passphrase.encode()) if passphrase
                  else serialization.NoEncryption())
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption))
    path.chmod(0o600)


def _load_key(path: Path):
    passphrase = current_app.config.get("SIGNING_KEY_PASSPHRASE")
    return serialization.load_pem_private_key(path.read_bytes(), passphrase.encode() if passphrase else None)


DEMO_BACKDATE = dt.timedelta(days=3 * 365)  # demo certificates also cover dossiers dated in the past


def _certificate(subject: x509.Name, issuer: x509.Name, public_key, signing_key, *, ca: bool, years: int):
    """A demo certificate, valid from three years back: a demo (and the tests, which travel in time to dated
    scenarios) signs results of dossiers whose dates lie before the day the demo PKI was made."""
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
               .serial_number(x509.random_serial_number()).not_valid_before(now - DEMO_BACKDATE)
               .not_valid_after(now + dt.timedelta(days=365 * years))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False),
                                        critical=True)
    else:
        builder = (builder.add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                                         critical=True)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False))
    return builder.sign(signing_key, hashes.SHA256())


def _name(common: str, org: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def create_demo_ca(root: Path | None = None) -> Path:
    """Create the demo CA (key and certificate) under the PKI folder unless it exists; return the folder."""
    root = root or pki_dir()
    key_path, cert_path = root / f"{DEMO_CA}.key.pem", root / "trust" / f"{DEMO_CA}.cert.pem"
    if key_path.exists() and cert_path.exists():
        return root
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("Motcua DEMO CA - khong dung cho van ban that", "Motcua demo")
    cert = _certificate(name, name, key.public_key(), key, ca=True, years=10)
    _write_key(key_path, key)
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return root


def _issue_demo_agency(root: Path, code: str, name: str) -> None:
    ca_key = _load_key(root / f"{DEMO_CA}.key.pem")
    ca_cert = x509.load_pem_x509_certificate((root / "trust" / f"{DEMO_CA}.cert.pem").read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(_name(name, code), ca_cert.subject, key.public_key(), ca_key, ca=False, years=3)
    _write_key(root / "agencies" / f"{code}.key.pem", key)
    (root / "agencies" / f"{code}.cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def agency_files(code: str, name: str | None = None) -> tuple[Path, Path]:
    """The agency's key and certificate files; in a demo folder they are issued by the demo CA on first use."""
    root = pki_dir()
    key, cert = root / "agencies" / f"{_safe(code)}.key.pem", root / "agencies" / f"{code}.cert.pem"
    if not (key.exists() and cert.exists()):
        if not (root / f"{DEMO_CA}.key.pem").exists():
            raise SigningKeyMissingError(f"no signing key for agency {code} in {root / 'agencies'}")
        _issue_demo_agency(root, code, name or code)
    return key, cert


def trust_roots() -> list:
    """The certificates signatures must chain to (asn1crypto objects, as pyhanko-certvalidator takes them)."""
    from pyhanko.keys import load_cert_from_pemder

    return [load_cert_from_pemder(str(p)) for p in sorted((pki_dir() / "trust").glob("*.pem"))]


def sign_pdf(pdf: bytes, code: str, name: str | None = None, *, reason: str = "Ban hành kết quả giải quyết TTHC"
             ) -> tuple[bytes, str]:
    """Sign `pdf` (PAdES, SHA-256; B-T with a TSA configured) with agency `code`'s key; returns the signed PDF and
    the signer's name."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    key, cert = agency_files(code, name)
    passphrase = current_app.config.get("SIGNING_KEY_PASSPHRASE")
    signer = signers.SimpleSigner.load(str(key), str(cert), ca_chain_files=tuple(
        str(p) for p in sorted((pki_dir() / "trust").glob("*.pem"))),
        key_passphrase=passphrase.encode() if passphrase else None)
    meta = signers.PdfSignatureMetadata(field_name=FIELD, md_algorithm="sha256", reason=reason,
                                        subfilter=fields.SigSeedSubFilter.PADES, location=name or code)
    stamper = timestamper()
    out = run_async(lambda: signers.async_sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer,
                                                   timestamper=stamper))
    return out.getvalue(), signer.signing_cert.subject.human_friendly


def run_async(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run one of pyHanko's coroutines to its end from synchronous code. pyHanko's own sync wrappers call
    `asyncio.run`, which refuses to start inside a thread whose event loop is running (a worker that also drives
    an async library, e.g. Playwright's sync API in the browser tests); then it runs on a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def timestamper():
    """The time-stamping authority's RFC 3161 client when MOTCUA_TSA_URL is set (PAdES B-T: the signing time is
    vouched for by the TSA, not the server's clock); None signs B-B. An unreachable TSA raises, so the result is
    retried by the documents job rather than issued without its timestamp."""
    url = current_app.config.get("TSA_URL")
    if not url:
        return None
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    return RequestsHTTPTimeStamper(url, timeout=current_app.config.get("TSA_TIMEOUT", 10))


@dataclass
class SignatureCheck:
    signer: str | None
    intact: bool  # the signed bytes are unchanged
    trusted: bool  # the certificate chains to a trusted root
    whole_file: bool  # nothing was added or changed after signing
    error: str | None = None
    timestamp: dt.datetime | None = None  # the TSA's time (PAdES B-T), when its token is intact and trusted
    timestamp_untrusted: bool = False  # a timestamp token is there but does not verify or chain to a trusted TSA

    @property
    def ok(self) -> bool:
        return self.intact and self.trusted and self.whole_file


def check_signatures(data: bytes) -> list[SignatureCheck]:
    """Validate every signature of a PDF against the trusted roots, offline (no fetching of revocation data)."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfReadError, ValueError, KeyError, TypeError):
        return []  # not a readable PDF: no signature to speak of (the hash alone decides)
    context = ValidationContext(trust_roots=trust_roots(), allow_fetching=False)
    checks = []
    for signature in signatures:
        try:
            status = run_async(lambda sig=signature: async_validate_pdf_signature(
                sig, context, ts_validation_context=context))
        except (SignatureValidationError, ValueError, KeyError, TypeError) as error:
            checks.append(SignatureCheck(None, False, False, False, str(error)[:300]))
            continue
        stamp = status.timestamp_validity
        stamp_ok = stamp is not None and bool(stamp.intact and stamp.valid and stamp.trusted)
        checks.append(SignatureCheck(
            status.signing_cert.subject.human_friendly if status.signing_cert else None,
            bool(status.intact and status.valid), bool(status.trusted),
            status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
            timestamp=stamp.timestamp if stamp_ok else None, timestamp_untrusted=stamp is not None and not stamp_ok))
    return checks
