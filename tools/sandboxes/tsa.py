"""Sandbox of a time-stamping authority (RFC 3161 over HTTP), so signed results carry a trusted signing time.

`POST /tsa` with `Content-Type: application/timestamp-query` and a DER TimeStampReq answers
`application/timestamp-reply` with a TimeStampResp (status rejection / badDataFormat for a malformed request, as
RFC 3161 §2.4.2 says). `GET /ca.pem` gives the sandbox TSA's root certificate, which the operator adds to the
application's trusted roots (`--publish-ca PATH` writes it there at start). The keys are made once in
`--state-dir` (RSA: pyHanko's stamper signs with RSA) so restarts keep the same TSA. Demo only: the stamping is
pyHanko's DummyTimeStamper, which stamps whatever it is asked to.
"""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from common import HERE, new_app, serve
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import Response, request
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

app = new_app("sandbox-tsa")
MAX_REQUEST = 16 * 1024  # a TimeStampReq is a few hundred bytes


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Motcua demo"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _pem_key(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _make(state: Path) -> None:
    """The sandbox's root and its time-stamping certificate (extended key usage timeStamping, critical)."""
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = _name("Motcua DEMO TSA root - khong dung cho van ban that")
    root = (x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
            .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256()))
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa = (x509.CertificateBuilder().subject_name(_name("Motcua DEMO TSA")).issuer_name(root_name)
           .public_key(tsa_key.public_key()).serial_number(x509.random_serial_number())
           .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1825))
           .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
           .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
           .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
           .sign(root_key, hashes.SHA256()))
    state.mkdir(parents=True, exist_ok=True)
    (state / "tsa.key.pem").write_bytes(_pem_key(tsa_key))
    (state / "tsa.key.pem").chmod(0o600)
    (state / "tsa.cert.pem").write_bytes(tsa.public_bytes(serialization.Encoding.PEM))
    (state / "ca.cert.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))


def load_stamper(state: Path) -> tuple[DummyTimeStamper, bytes]:
    if not all((state / f).exists() for f in ("tsa.key.pem", "tsa.cert.pem", "ca.cert.pem")):
        _make(state)
    key = serialization.load_pem_private_key((state / "tsa.key.pem").read_bytes(), None)
    der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    load_cert = lambda name: asn1_x509.Certificate.load(  # noqa: E731
        x509.load_pem_x509_certificate((state / name).read_bytes()).public_bytes(serialization.Encoding.DER))
    stamper = DummyTimeStamper(tsa_cert=load_cert("tsa.cert.pem"), tsa_key=asn1_keys.PrivateKeyInfo.load(der_key),
                               certs_to_embed=[load_cert("ca.cert.pem")])
    return stamper, (state / "ca.cert.pem").read_bytes()


def _reply(response: tsp.TimeStampResp) -> Response:
    return Response(response.dump(), mimetype="application/timestamp-reply")


def _rejection(text: str) -> Response:
    """A TimeStampResp with only its status (asn1crypto's class insists on the token, so the SEQUENCE is framed
    here: status is the one member, short-form length as it is < 128 bytes)."""
    status = tsp.PKIStatusInfo({"status": tsp.PKIStatus("rejection"), "status_string": [text[:60]],
                                "fail_info": tsp.PKIFailureInfo({"bad_data_format"})}).dump()
    return Response(b"\x30" + bytes([len(status)]) + status, mimetype="application/timestamp-reply")


@app.post("/tsa")
def stamp():
    if request.mimetype != "application/timestamp-query":
        return Response("expected application/timestamp-query\n", status=415, mimetype="text/plain")
    body = request.get_data(cache=False)[:MAX_REQUEST + 1]
    if len(body) > MAX_REQUEST:
        return _rejection("request too large")
    try:
        req = tsp.TimeStampReq.load(body, strict=True)
        req.native  # noqa: B018 - parse every field now: a malformed request is rejected, not a 500
    except (ValueError, TypeError, KeyError):
        return _rejection("malformed TimeStampReq")
    return _reply(app.config["STAMPER"].request_tsa_response(req))


@app.get("/ca.pem")
def ca():
    return Response(app.config["CA_PEM"], mimetype="application/x-pem-file")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5106)
    parser.add_argument("--state-dir", type=Path, default=HERE.parents[1] / "instance" / "sandbox-tsa")
    parser.add_argument("--publish-ca", type=Path, help="also write the TSA root certificate here (a trust folder)")
    args = parser.parse_args()
    app.config["STAMPER"], app.config["CA_PEM"] = load_stamper(args.state_dir)
    if args.publish_ca:
        args.publish_ca.parent.mkdir(parents=True, exist_ok=True)
        args.publish_ca.write_bytes(app.config["CA_PEM"])
    serve(app, args.host, args.port)
