"""Jejak's tamper-evident log: RFC 9162 Merkle tree, DSSE statements, C2SP checkpoints, bundles.

Pure library: imports only the standard library, ``cryptography`` and ``rfc8785``, so an
inspector can verify a bundle offline with ``python -m audit verify`` (DESIGN.md §4–5).
"""
