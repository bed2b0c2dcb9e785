"""Pure core of the customs documents: canonical JSON, salted field hashes, Ed25519, verification.

No Django import anywhere in this package: a member country's customs, a bank or a buyer can
vendor it (with `mekong.trustlog`'s pure receipt verifier) and check documents offline.
"""
