"""Signing a PDF with the school's certificate (PAdES baseline B), so that `pdfsig` reports the
signature valid and any later change as a digest mismatch."""

from __future__ import annotations

import io

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from jiaoyuapp.exchange import identity


def sign_pdf(pdf: bytes, identity_row: dict, passphrase: str | None, *, reason: str, location: str) -> bytes:
    key = identity.signing_key(identity_row, passphrase)
    cert = identity.load_certificate(identity_row["certificate"])
    asn_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    asn_key = asn1_keys.PrivateKeyInfo.load(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    signer = signers.SimpleSigner(signing_cert=asn_cert, signing_key=asn_key,
                                  cert_registry=SimpleCertificateStore.from_certs([asn_cert]))
    meta = signers.PdfSignatureMetadata(field_name="学校签章", reason=reason, location=location,
                                        name=identity.subject_name(cert), md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    out = io.BytesIO()
    signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer, output=out)
    return out.getvalue()
