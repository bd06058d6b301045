"""Webhook signatures: plain vectors (RFC 4231 test case 2 is HMAC-SHA256 of a known key and
message), so a receiver in any language can check its own implementation against them."""

import re
import string
from pathlib import Path

import pytest

from zhichi.webhooks import signing

pytestmark = pytest.mark.unit

RFC4231_KEY = "Jefe"
RFC4231_DATA = b"what do ya want for nothing?"
RFC4231_HMAC = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


def test_sign_matches_the_rfc_4231_vector():
    assert signing.sign(RFC4231_KEY, RFC4231_DATA) == f"sha256={RFC4231_HMAC}"


def test_sign_of_a_json_body_with_chinese_text_signs_its_utf8_bytes():
    secret = "s3cr3t-s3cr3t-s3cr3t"
    body = '{"id":1,"event":"ping","data":{"case_number":"五华检民支〔2026〕1号"}}'.encode()
    # computed with `printf '%s' BODY | openssl dgst -sha256 -hmac SECRET`
    expected = "2560b7df00130e79815041aef3be8b34b70ef1cb9e4b4b3b0842440d2c7c7cc4"

    assert signing.sign(secret, body) == f"sha256={expected}"


def test_verify_accepts_the_signature_and_refuses_any_change():
    header = f"sha256={RFC4231_HMAC}"

    assert signing.verify(RFC4231_KEY, RFC4231_DATA, header)
    assert signing.verify(RFC4231_KEY, RFC4231_DATA, f"  {header}\n")
    assert not signing.verify(RFC4231_KEY, RFC4231_DATA + b" ", header)
    assert not signing.verify("jefe", RFC4231_DATA, header)
    assert not signing.verify(RFC4231_KEY, RFC4231_DATA, RFC4231_HMAC)  # prefix required
    assert not signing.verify(RFC4231_KEY, RFC4231_DATA, "")


def test_new_secrets_are_32_random_bytes_as_url_safe_text():
    secrets = {signing.new_secret() for _ in range(50)}

    assert len(secrets) == 50
    assert {len(s) for s in secrets} == {43}
    alphabet = set(string.ascii_letters + string.digits + "-_")
    assert all(set(s) <= alphabet for s in secrets)


def test_the_receiver_snippet_in_the_docs_verifies_a_signature():
    docs = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
    blocks = re.findall(r"```python\n(.*?)```", docs.read_text(encoding="utf-8"), re.S)
    [snippet] = [b for b in blocks if "def verify(" in b]
    namespace: dict = {}
    exec(snippet, namespace)  # noqa: S102 (our own documentation, checked to stay true)
    header = signing.sign("partner-secret", b'{"id":1}')

    assert namespace["verify"]("partner-secret", b'{"id":1}', header)
    assert not namespace["verify"]("partner-secret", b'{"id":2}', header)
