"""Is this card genuine? Chain, validity, revocation, possession, data integrity, consistency."""
