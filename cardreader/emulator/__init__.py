"""A virtual My Number card at the APDU level, shipped with the product.

It follows the protocol sheet, docs/card-protocol.md: three applications, access rules, PIN
counters, short and extended reads, SFI forms and DigestInfo signing with real
RSA keys from a generated TEST ONLY PKI. Front ends select it with
``--simulate SCENARIO``; tests reach it in-process or through pcscd + vpcd.
"""
