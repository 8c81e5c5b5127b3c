"""Key ids against published vectors: RFC 7638's thumbprint example and the libtrust key id of
the ES256 key in Distribution's JWT specification (``distribution-auth-jwt.md``)."""

from __future__ import annotations

import jwt

from dockyard.auth.keys import jwk_thumbprint, key_ids, libtrust_key_id

RFC7638_KEY = {
    "kty": "RSA",
    "n": (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1"
        "L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4"
        "QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbO"
        "pbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csF"
        "Cur-kEgU8awapJzKnqDKgw"
    ),
    "e": "AQAB",
}
DISTRIBUTION_KEY = {
    "kty": "EC",
    "crv": "P-256",
    "x": "m7zUpx3b-zmVE5cymSs64POG9QcyEpJaYCD82-549_Q",
    "y": "dU3biz8sZ_8GPB-odm8Wxz3lNDr1xcAQQPQaOcr1fmc",
}


def test_rfc7638_thumbprint() -> None:
    key = jwt.PyJWK(RFC7638_KEY).key
    assert jwk_thumbprint(key) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_libtrust_key_id_of_distributions_example() -> None:
    key = jwt.PyJWK(DISTRIBUTION_KEY).key
    assert libtrust_key_id(key) == "PYYO:TEWU:V7JH:26JV:AQTZ:LJC3:SXVJ:XGHA:34F2:2LAQ:ZRMK:Z7Q6"
    assert libtrust_key_id(key) in key_ids(key)
    assert jwk_thumbprint(key) in key_ids(key)
