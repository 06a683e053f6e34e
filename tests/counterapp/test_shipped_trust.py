"""The trust material in resources/trust/ is what its README and the published fingerprints say."""

from __future__ import annotations

from counterapp.resources import resource_path
from counterapp.verification.shipped import public_key_der, shipped_trust
from counterapp.verification.trust import fingerprint, known_fingerprints


def test_every_shipped_anchor_has_a_known_fingerprint_and_is_documented() -> None:
    readme = resource_path("trust", "README.md").read_text("utf-8")
    known = known_fingerprints()
    anchors = shipped_trust().anchors
    assert {(a.kind, a.generation) for a in anchors} == {
        ("auth", 1),
        ("auth", 3),
        ("sign", 1),
        ("sign", 3),
    }
    for anchor in anchors:
        assert anchor.sha256 in known
        assert anchor.sha256 in readme
        assert anchor.certificate.serial_number == next(
            g.serial
            for g in shipped_trust().generations
            if (g.kind, g.number) == (anchor.kind, anchor.generation)
        )


def test_every_shipped_cvc_key_is_pinned_documented_and_named_by_16_bytes() -> None:
    readme = resource_path("trust", "README.md").read_text("utf-8")
    keys = shipped_trust().cvc_keys
    assert {k.name for k in keys} == {"5000020", "5000023", "5000033"}
    for key in keys:
        assert len(key.key_id) == 16 and key.key_id.startswith(key.name.encode())
        assert key.key.key_size == 2048
        assert fingerprint(public_key_der(key.key)) in readme


def test_every_generation_in_force_today_or_later_is_listed() -> None:
    generations = {(g.kind, g.number) for g in shipped_trust().generations}
    assert generations == {(kind, n) for kind in ("auth", "sign") for n in (1, 2, 3)}
