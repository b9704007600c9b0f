"""Signs xAPI statements as a learning tool would, with the independent
`jwcrypto` and `cryptography` packages (installed by scripts/test for the
LTI tests): a self-signed X.509 certificate for a fresh RSA key, and a
compact JWS whose payload is the statement.

Usage: python xapi_sign.py < statement.json
Prints one JSON object of compact JWS strings:
- "good":       RS256, the certificate in `x5c`;
- "rs512":      RS512, the certificate in `x5c`;
- "other_key":  signed by another key, with the first key's certificate in `x5c`;
- "no_x5c":     RS256 without a certificate;
- "hs256":      HS256 with a shared secret (not allowed by xAPI).
"""

import base64
import datetime
import json
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from jwcrypto import jwk, jws


def key_and_cert():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "xapi test signer")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    return jwk.JWK.from_pem(pem), base64.b64encode(der).decode()


def sign(payload, key, header):
    token = jws.JWS(payload.encode())
    token.add_signature(key, None, json.dumps(header))
    return token.serialize(compact=True)


def main():
    payload = sys.stdin.read()
    key, cert = key_and_cert()
    other, _ = key_and_cert()
    secret = jwk.JWK.generate(kty="oct", size=256)
    print(
        json.dumps(
            {
                "good": sign(payload, key, {"alg": "RS256", "x5c": [cert]}),
                "rs512": sign(payload, key, {"alg": "RS512", "x5c": [cert]}),
                "other_key": sign(payload, other, {"alg": "RS256", "x5c": [cert]}),
                "no_x5c": sign(payload, key, {"alg": "RS256"}),
                "hs256": sign(payload, secret, {"alg": "HS256"}),
            }
        )
    )


if __name__ == "__main__":
    main()
