"""Tests of `mekong.trustlog.note`: C2SP signed notes, checkpoints, cosignatures.

Known-answer data, with its source:

- C2SP ``signed-note.md`` "Verifier keys > Example" and ``tlog-checkpoint.md`` /
  ``tlog-cosignature.md`` examples (C2SP/C2SP @ 5ba5ee8), via reference_vectors.json;
- golang.org/x/mod ``sumdb/note/note_test.go`` (BSD-3-Clause): the PeterNeumann and EnochRoot
  keys and signatures of TestNewVerifier, TestNewSigner, TestSign and TestOpen;
- transparency-dev/formats ``note/note_cosigv1_test.go`` (Apache-2.0): the vkeys of
  TestCoSigV1NewVerifier and the cosignature of TestCosignatureTimestamp;
- a real checkpoint of the public staging CT log ``arche2025h1.staging.ct.transparency.dev``
  with six signature lines, among them an Ed25519 log signature (vkey ``…+ba2f06c0+…``) and a
  cosignature/v1 by the public witness ``remora.n621.de`` (vkey ``…+da77ade7+…``, also listed
  in transparency-dev/formats above). The checkpoint text is quoted from the test suite of the
  third-party Python package ``tlog_scales``; only the data is used here.
"""

from __future__ import annotations

import base64
import contextlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from mekong.trustlog import merkle, note
from mekong.trustlog.tests import load_reference_vectors

VECTORS = load_reference_vectors()

# golang.org/x/mod sumdb/note/note_test.go
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotp"
    "RZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox3"
    "3WWd1RvMc+QQ=\n"
)

# Real witnessed checkpoint (see the module docstring).
ARCHE_ORIGIN = "arche2025h1.staging.ct.transparency.dev"
ARCHE_VKEY = f"{ARCHE_ORIGIN}+ba2f06c0+AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f"
REMORA_VKEY = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
ARCHE_BODY = f"{ARCHE_ORIGIN}\n1432088532\nU7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=\n"
ARCHE_SIGNATURES = [
    f"— {ARCHE_ORIGIN} zTM8sQAAAZ5W0WdjBAMARjBEAiBjW5IQf9pvsYLfQFX6hoGREPMHbdQ3urbllzalApkptQIg"
    "IpwtEroeW2BXaHAI4kJXFbon5Ch9MNL5zRNZ55lvGt0=",
    f"— {ARCHE_ORIGIN} ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3NygNI75MdhL1bfTW9g8Ei5"
    "9RA23oHP7Ry1k3ZFWwQ=",
    "— transparency.dev/DEV:witness-little-garden 2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/KYTzwZ"
    "2rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==",
    "— witness1.smartit.nu/witness1 pIyCDwAAAABqEiEghIp82KWebrw7/oHQwlTAm3g2RKS4+eebl8eO0WH+/iEc"
    "xZ75W3u5hNI7TOQtmJbqmNWVuE0tgh0XwzdZsDsUAQ==",
    "— remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9s"
    "XTynk5XeU/zZ0WBxtqB0DrAWfBw==",
    "— witness.stagemole.eu Z/euoAAAAABqEiEgw0i+7g2ENfDAWHmtRzCfKTHSDwYDJA2NmKeGi9Y8FtEyOUvVr+AJm"
    "IY/2TUFucgKi7lI7cUiOvKFYe/TmN9DAg==",
]
ARCHE_NOTE = ARCHE_BODY + "\n" + "".join(line + "\n" for line in ARCHE_SIGNATURES)


# --------------------------------------------------------------------------------------------
# Known answers
# --------------------------------------------------------------------------------------------


def test_c2sp_signed_note_example_verifies():
    example = VECTORS["signed_note_example"]
    key = note.VerifierKey.parse(example["vkey"])

    opened = note.open_note(example["note"], [key])

    assert key.name == example["key_name"]
    assert f"{key.key_id:08x}" == example["key_id_hex"]
    assert key.public_key.hex() == example["ed25519_public_key_hex"]
    assert key.sig_type == note.SIG_TYPE_ED25519
    assert key.encode() == example["vkey"]
    assert opened.text == example["note_text_signed"]
    assert [v.signature.signature.hex() for v in opened.verified] == [example["signature_hex"]]
    assert opened.verified[0].timestamp is None


def test_c2sp_signed_note_negative_example_is_rejected():
    example = VECTORS["signed_note_example"]
    key = note.VerifierKey.parse(example["vkey"])

    with pytest.raises(note.SignatureVerificationError, match=r"example\.com/foo"):
        note.open_note(example["negative"]["note"], [key])


def test_go_sumdb_sign_known_answer():
    signer = note.NoteSigner.from_skey(PETER_SKEY)

    assert note.sign_note(GO_TEXT, signer) == GO_TEXT + "\n" + PETER_SIG
    assert signer.encode_skey() == PETER_SKEY
    assert signer.verifier == note.VerifierKey.parse(PETER_VKEY)


def test_go_sumdb_open_known_answers():
    peter, enoch = note.VerifierKey.parse(PETER_VKEY), note.VerifierKey.parse(ENOCH_VKEY)
    message = GO_TEXT + "\n" + PETER_SIG + ENOCH_SIG

    one = note.open_note(message, [peter])
    both = note.open_note(message, [peter, enoch])

    assert one.text == GO_TEXT
    assert [v.key for v in one.verified] == [peter]
    assert [s.name for s in one.unknown] == ["EnochRoot"]
    assert [v.key for v in both.verified] == [peter, enoch]
    assert both.unknown == ()
    with pytest.raises(note.UnverifiedNoteError) as info:
        note.open_note(message, [])
    assert [s.name for s in info.value.note.signatures] == ["PeterNeumann", "EnochRoot"]


def test_go_sumdb_duplicated_and_corrupted_signatures():
    peter = note.VerifierKey.parse(PETER_VKEY)
    corrupt_peter = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    corrupt_enoch = ENOCH_SIG[:60] + "ABCD" + ENOCH_SIG[60:]

    with pytest.raises(note.SignatureVerificationError, match=r"PeterNeumann\+c74f20a3"):
        note.open_note(GO_TEXT + "\n" + corrupt_peter, [peter])
    # Duplicates are reported once; a corrupt signature from an unknown key is ignored.
    opened = note.open_note(
        GO_TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG + corrupt_enoch, [peter]
    )
    assert len(opened.verified) == 1
    assert len(opened.unknown) == 2


@pytest.mark.parametrize(
    "message",
    [
        GO_TEXT,
        GO_TEXT + "\n",
        GO_TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + GO_TEXT + "\n" + PETER_SIG,
        b"\xff" + (GO_TEXT + "\n" + PETER_SIG).encode(),
        GO_TEXT + "\n" + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2p"
        "ZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
        GO_TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        GO_TEXT + "\n" + PETER_SIG * (note.MAX_SIGNATURES + 1),
        GO_TEXT + "\n" + "— PeterNeumann AAAA\n",  # shorter than key ID + 1 byte
        GO_TEXT + "\n" + "— PeterNeumann not base64!\n",
        GO_TEXT + "\n" + "— Peter+Neumann " + PETER_SIG.split(" ")[2],
        GO_TEXT + "\n" + "— PeterNeumann\u00a0x " + PETER_SIG.split(" ")[2],
        GO_TEXT + "\n" + "-- PeterNeumann " + PETER_SIG.split(" ")[2],
    ],
    ids=range(13),
)
def test_go_sumdb_malformed_notes(message):
    with pytest.raises(note.MalformedNoteError):
        note.open_note(message, [note.VerifierKey.parse(PETER_VKEY)])


@pytest.mark.parametrize("key", [PETER_VKEY, PETER_SKEY], ids=["vkey", "skey"])
def test_every_mangling_of_a_key_string_is_rejected(key):
    # The mangling scheme of Go's TestNewVerifier / TestNewSigner: every proper substring and
    # every single-character increment must fail (the key ID check catches changed keys).
    parse = note.VerifierKey.parse if key == PETER_VKEY else note.NoteSigner.from_skey
    assert parse(key) is not None
    for i in range(len(key) + 1):
        for j in range(i + 1, len(key) + 1):
            if (i, j) != (0, len(key)):
                with pytest.raises(note.KeyFormatError):
                    parse(key[i:j])
    for i in range(len(key)):
        with pytest.raises(note.KeyFormatError):
            parse(key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :])


@pytest.mark.parametrize(
    "vkey",
    [
        # Go TestNewVerifier: wrong-length key and unknown algorithm, each with adjusted hash.
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        # transparency-dev/formats TestCoSigV1NewVerifier error cases.
        "bananas.sigstore.dev+12344556",
        "rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!",
        "rekor.sigstore.dev+12345678+AwEB",
        "rekor.sigstore.dev+NOT_A_NUMBER+" + PETER_VKEY.split("+")[2],
        "PeterNeumann+00000000+" + PETER_VKEY.split("+")[2],
        "PeterNeumann+C74F20A3+" + PETER_VKEY.split("+")[2],  # the spec says lowercase hex
    ],
)
def test_bad_verifier_keys(vkey):
    with pytest.raises(note.KeyFormatError):
        note.VerifierKey.parse(vkey)


def test_transparency_dev_vkeys_and_key_ids():
    plain = note.VerifierKey.parse("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6")
    cosigner = note.VerifierKey.parse(REMORA_VKEY)

    assert (plain.name, plain.sig_type, plain.key_id) == ("TEST", 0x01, 0x7997405C)
    assert (cosigner.name, cosigner.sig_type, cosigner.key_id) == ("remora.n621.de", 4, 0xDA77ADE7)
    assert note.key_id("remora.n621.de", 0x04, cosigner.public_key) == 0xDA77ADE7
    assert note.key_id("remora.n621.de", 0x01, cosigner.public_key) != 0xDA77ADE7
    assert cosigner.encode() == REMORA_VKEY


def test_cosignature_timestamps_of_published_examples():
    # tlog-cosignature.md example line, and transparency-dev/formats TestCosignatureTimestamp.
    c2sp_line = (
        "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrD"
        "JsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n"
    )
    formats_line = (
        "— w ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOwo"
        "rDcFiEBYJXORmnFBOBA==\n"
    )
    checkpoint = VECTORS["checkpoint_format_example"]

    for line, expected in [(c2sp_line, 1679315147), (formats_line, 1727964367)]:
        (sig,) = note.parse_note(checkpoint["text"] + "\n" + line).signatures
        assert len(sig.signature) == 8 + 64
        assert int.from_bytes(sig.signature[:8], "big") == expected


def test_cosignature_message_matches_the_spec_example():
    checkpoint = VECTORS["checkpoint_format_example"]

    message = note.cosignature_message(checkpoint["text"], 1679315147)

    assert message == checkpoint["cosignature_v1_signed_message_example"].encode()


def test_real_witnessed_checkpoint_verifies():
    log_key, witness_key = note.VerifierKey.parse(ARCHE_VKEY), note.VerifierKey.parse(REMORA_VKEY)

    checkpoint, opened = note.open_checkpoint(
        ARCHE_NOTE, [log_key, witness_key], origin=ARCHE_ORIGIN
    )

    assert (checkpoint.origin, checkpoint.size) == (ARCHE_ORIGIN, 1432088532)
    assert checkpoint.text() == ARCHE_BODY
    assert opened.verified_by(log_key) is not None
    cosignature = opened.verified_by(witness_key)
    assert cosignature is not None
    assert cosignature.timestamp == 1779573024
    # The RFC 6962 STH signature (type 0x05) and three other witnesses are unknown: ignored.
    assert len(opened.unknown) == 4


def test_real_witnessed_checkpoint_with_another_size_fails():
    keys = [note.VerifierKey.parse(ARCHE_VKEY), note.VerifierKey.parse(REMORA_VKEY)]

    for key in keys:
        with pytest.raises(note.SignatureVerificationError):
            note.open_note(ARCHE_NOTE.replace("1432088532", "42"), [key])


# --------------------------------------------------------------------------------------------
# Round trips and spec rules
# --------------------------------------------------------------------------------------------


def _checkpoint(size: int = 5, extensions: tuple[str, ...] = ()) -> note.Checkpoint:
    return note.Checkpoint("log.mekong.example/test", size, bytes(range(32)), extensions)


def test_generate_sign_open_round_trip():
    skey, vkey = note.generate_key("log.mekong.example/test")
    signer = note.NoteSigner.from_skey(skey)
    text = _checkpoint().text()

    signed = note.sign_note(text, signer)
    checkpoint, opened = note.open_checkpoint(signed, [note.VerifierKey.parse(vkey)])

    assert skey.startswith("PRIVATE+KEY+log.mekong.example/test+")
    assert vkey == signer.verifier.encode()
    assert checkpoint == _checkpoint()
    assert opened.text == text


def test_log_signature_plus_witness_cosignatures_round_trip():
    log = note.NoteSigner.generate("log.mekong.example/test")
    witnesses = [note.CosignatureSigner.generate(f"witness.{c}.example") for c in ("kh", "la")]
    text = _checkpoint(size=20852163).text()
    signed = note.sign_note(text, log)

    # The witnesses answer add-checkpoint with signature lines; the log appends them.
    cosigned = note.add_signatures(
        signed, [w.cosign(text, 1700000000 + i) for i, w in enumerate(witnesses)]
    )
    keys = [log.verifier, *(w.verifier for w in witnesses)]
    checkpoint, opened = note.open_checkpoint(cosigned, keys, origin="log.mekong.example/test")

    assert checkpoint.size == 20852163
    assert [v.key for v in opened.verified] == keys
    assert [v.timestamp for v in opened.verified] == [None, 1700000000, 1700000001]
    assert note.add_signatures(cosigned, [opened.verified[1].signature]) == cosigned


def test_tampered_text_fails_for_note_and_cosignature():
    log = note.NoteSigner.generate("log")
    witness = note.CosignatureSigner.generate("witness")
    text = _checkpoint(extensions=("ext one",)).text()
    signed = note.add_signatures(note.sign_note(text, log), [witness.cosign(text, 1)])
    tampered = signed.replace("ext one", "ext two")

    for key in (log.verifier, witness.verifier):
        with pytest.raises(note.SignatureVerificationError):
            note.open_note(tampered, [key])


def test_unknown_keys_are_ignored_even_if_name_or_id_matches():
    signer = note.NoteSigner.generate("alice")
    other = note.NoteSigner.generate("bob")
    text = "hello\n"
    good = note.sign_note(text, [signer, other])
    real = signer.sign(text)
    spoofed_id = note.Signature("alice", real.key_id ^ 1, real.signature)  # name matches only
    spoofed_name = note.Signature("mallory", real.key_id, b"\0" * 64)  # ID matches only

    opened = note.open_note(
        note.add_signatures(good, [spoofed_id, spoofed_name]), [signer.verifier]
    )

    assert [v.key for v in opened.verified] == [signer.verifier]
    assert set(opened.unknown) == {other.sign(text), spoofed_id, spoofed_name}


def test_plain_key_does_not_verify_a_cosignature():
    # Same Ed25519 key, two types: different key IDs, so the cosignature is simply unknown.
    private = Ed25519PrivateKey.generate()
    plain, cosigner = note.NoteSigner("w", private), note.CosignatureSigner("w", private)
    signed = "t\n\n" + cosigner.cosign("t\n", 5).line()

    assert plain.key_id != cosigner.key_id
    with pytest.raises(note.UnverifiedNoteError):
        note.open_note(signed, [plain.verifier])
    assert note.open_note(signed, [cosigner.verifier]).verified[0].timestamp == 5


@pytest.mark.parametrize("length", [0, 63, 65, 8 + 63, 8 + 65])
def test_wrong_length_signature_from_known_key_is_rejected(length):
    signer = note.NoteSigner.generate("alice")
    witness = note.CosignatureSigner.generate("witness")
    for key in (signer.verifier, witness.verifier):
        line = note.Signature(key.name, key.key_id, b"\x01" * length).line()
        message = "text\n\n" + line
        if length == 0:
            with pytest.raises(note.MalformedNoteError):
                note.open_note(message, [key])
        else:
            with pytest.raises(note.SignatureVerificationError):
                note.open_note(message, [key])


def test_cosignature_timestamp_limits():
    private = Ed25519PrivateKey.generate()
    witness = note.CosignatureSigner("witness", private)
    text = _checkpoint().text()

    with pytest.raises(ValueError, match="timestamp"):
        witness.cosign(text, 0)
    with pytest.raises(ValueError, match="timestamp"):
        witness.cosign(text, note.MAX_TIMESTAMP + 1)
    assert witness.cosign(text, note.MAX_TIMESTAMP).signature[:8] == b"\x7f" + b"\xff" * 7
    # A validly signed timestamp above 2**63 - 1 is still refused by verifiers.
    too_late = 2**63
    raw = private.sign(note.cosignature_message(text, too_late))
    line = note.Signature("witness", witness.key_id, too_late.to_bytes(8, "big") + raw).line()
    with pytest.raises(note.SignatureVerificationError):
        note.open_note(text + "\n" + line, [witness.verifier])


def test_cosigner_key_strings():
    skey, vkey = note.generate_cosigner_key("witness.th.example")
    witness = note.CosignatureSigner.from_skey(skey)
    # A type 0x01 note key may also serve as a cosigner key (as in transparency-dev/formats).
    from_plain = note.CosignatureSigner.from_skey(PETER_SKEY)

    assert note.VerifierKey.parse(vkey) == witness.verifier
    assert witness.verifier.sig_type == note.SIG_TYPE_COSIGNATURE_V1
    assert from_plain.verifier.sig_type == note.SIG_TYPE_COSIGNATURE_V1
    assert from_plain.verifier.public_key == note.VerifierKey.parse(PETER_VKEY).public_key
    with pytest.raises(note.KeyFormatError):
        note.NoteSigner.from_skey(skey)  # a cosigner key is not a plain note key


def test_signer_repr_does_not_leak_the_private_key():
    signer = note.NoteSigner.from_skey(PETER_SKEY)
    seed_b64 = PETER_SKEY.rsplit("+", 1)[1]

    assert seed_b64 not in repr(signer)
    assert seed_b64 not in str(signer)
    assert PETER_VKEY in repr(signer)


@pytest.mark.parametrize("name", ["", "a+b", "a b", "a\u00a0b", "a\tb", "a\nb", "a\x00b"])
def test_invalid_key_names(name):
    with pytest.raises(note.KeyFormatError):
        note.NoteSigner.generate(name)


def test_ambiguous_verifier_keys_are_refused():
    # Two distinct keys can share a name and ID (IDs are 32 bits); the set is then ambiguous.
    key = note.VerifierKey.parse(PETER_VKEY)
    twin = note.VerifierKey(key.name, key.sig_type, bytes(32))
    object.__setattr__(twin, "key_id", key.key_id)  # forge the collision

    with pytest.raises(note.KeyFormatError, match="ambiguous"):
        note.open_note(GO_TEXT + "\n" + PETER_SIG, [key, twin])
    assert note.open_note(GO_TEXT + "\n" + PETER_SIG, [key, key]).verified


@pytest.mark.parametrize("text", ["no newline", "tab\there\n", "nul\x00\n", "\ud800\n", b"x\n"])
def test_sign_note_rejects_invalid_texts(text):
    with pytest.raises(note.MalformedNoteError):
        note.sign_note(text, note.NoteSigner.generate("k"))


def test_sign_note_needs_a_signer_and_accepts_the_spec_minimum_of_16():
    signers = [note.NoteSigner.generate(f"k{i}") for i in range(16)]

    with pytest.raises(note.MalformedNoteError):
        note.sign_note("text\n", [])
    opened = note.open_note(note.sign_note("text\n", signers), [s.verifier for s in signers])
    assert len(opened.verified) == 16


def test_note_text_may_contain_empty_lines():
    signer = note.NoteSigner.generate("k")
    text = "first\n\n— not a signature\n\n"

    opened = note.open_note(note.sign_note(text, signer), [signer.verifier])

    assert opened.text == text


# --------------------------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------------------------


def test_checkpoint_spec_example_round_trips():
    text = VECTORS["checkpoint_format_example"]["text"]

    checkpoint = note.Checkpoint.parse(text)

    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.size == 20852163
    assert base64.b64encode(checkpoint.root_hash).decode() == text.split("\n")[2]
    assert checkpoint.extensions == ()
    assert checkpoint.text() == text


def test_checkpoint_with_extensions_and_empty_tree():
    with_ext = _checkpoint(extensions=("one", "two three"))
    empty = note.Checkpoint("o", 0, merkle.EMPTY_ROOT)

    assert note.Checkpoint.parse(with_ext.text()) == with_ext
    assert empty.text().split("\n")[1] == "0"
    assert note.Checkpoint.parse(empty.text()) == empty


_ROOT = base64.b64encode(bytes(range(32))).decode()
# The last base64 digit of 32 bytes carries 2 unused bits: "8" and "9" decode alike.
_NON_CANONICAL_ROOT = _ROOT[:-2] + "9="
assert base64.b64decode(_NON_CANONICAL_ROOT) == bytes(range(32))


@pytest.mark.parametrize(
    "text",
    [
        f"o\n5\n{_ROOT}",  # no final newline
        "o\n5\n",  # two lines
        f"\n5\n{_ROOT}\n",  # empty origin
        f"o\n05\n{_ROOT}\n",  # leading zero
        f"o\n+5\n{_ROOT}\n",
        f"o\n 5\n{_ROOT}\n",
        f"o\n\uff15\n{_ROOT}\n",  # a non-ASCII digit
        f"o\n{2**64}\n{_ROOT}\n",  # beyond uint64
        f"o\n5\n{_NON_CANONICAL_ROOT}\n",
        f"o\n5\n{base64.b64encode(bytes(31)).decode()}\n",
        f"o\n5\n{_ROOT}\n\n",  # empty extension line
        f"o\n5\n{_ROOT}\next\n\nmore\n",
        f"o\n5\n{_ROOT.replace('A', '*')}\n",
    ],
)
def test_malformed_checkpoints(text):
    with pytest.raises(note.MalformedCheckpointError):
        note.Checkpoint.parse(text)


def test_checkpoint_constructor_validates():
    for bad in [
        ("", 1, bytes(32)),
        ("o", -1, bytes(32)),
        ("o", True, bytes(32)),
        ("o", 1, bytes(31)),
        ("\ud800", 1, bytes(32)),
        ("a\nb", 1, bytes(32)),
    ]:
        with pytest.raises(note.MalformedCheckpointError):
            note.Checkpoint(*bad)
    with pytest.raises(note.MalformedCheckpointError):
        note.Checkpoint("o", 1, bytes(32), ("",))


def test_open_checkpoint_checks_the_origin():
    signer = note.NoteSigner.generate("log")
    signed = note.sign_note(_checkpoint().text(), signer)

    with pytest.raises(note.MalformedCheckpointError, match="origin"):
        note.open_checkpoint(signed, [signer.verifier], origin="other.example/log")


# --------------------------------------------------------------------------------------------
# Parsers never crash
# --------------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(data=st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_parsers_raise_only_their_own_errors(data):
    key = note.VerifierKey.parse(PETER_VKEY)
    for parse in (note.parse_note, lambda d: note.open_note(d, [key])):
        with contextlib.suppress(note.NoteError):
            parse(data)
    if isinstance(data, str):
        for parse_text in (
            note.VerifierKey.parse,
            note.NoteSigner.from_skey,
            note.Checkpoint.parse,
        ):
            with contextlib.suppress(note.NoteError):
                parse_text(data)


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(
        st.tuples(
            st.sampled_from(["PeterNeumann", "EnochRoot", "x"]),
            st.binary(min_size=0, max_size=80),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_random_signature_lines_never_crash(lines):
    key = note.VerifierKey.parse(PETER_VKEY)
    message = (
        GO_TEXT
        + "\n"
        + "".join(f"— {name} {base64.b64encode(raw).decode()}\n" for name, raw in lines)
    )
    with contextlib.suppress(note.NoteError):
        note.open_note(message, [key])
