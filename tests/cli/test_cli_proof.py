"""`credledger proof export` / `proof verify`: a bundle proves a credential offline,
and no byte of it can change unnoticed."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from credledger.crypto import cbor
from credledger.ledger.domain.acts import ADMIN, Act
from credledger.ledger.verify.bundle import verify_bundle
from credledger.ledger.verify.bundle_errors import (
    BundleError,
    CredentialInvalidError,
    LeafMismatchError,
    MalformedBundleError,
    ProofFailedError,
    UntrustedKeyError,
)
from credledger.ledger.verify.bundle_file import dump_json, load_bundle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..cli_helpers import clean_environment, run
from ..http_helpers import microcredential_definition
from ..ledger_server import add_school, award, live_ledger, open_ledger, signed_credential

BASE_URL = "https://ledger.example.test"


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A data directory holding one issued credential; yields (data dir, credential id).

    The issuer is a did:key, which a verifier resolves without a network, so its bundles
    verify fully offline (a did:web issuer's need its DID document)."""
    data = tmp_path_factory.mktemp("proof") / "ledger"
    ledger = open_ledger(data, BASE_URL)
    try:
        school = add_school(ledger, did_method="key", suspendable=True)
        award(ledger, school, "first@example.org")
        credential_id = award(ledger, school, "alice@example.org")
        award(ledger, school, "later@example.org")
    finally:
        ledger.close()
    return data, str(credential_id)


@pytest.fixture(scope="module")
def bundle_bytes(issued: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> bytes:
    data, credential_id = issued
    out = tmp_path_factory.mktemp("bundle") / "proof.json"
    result = run(
        "proof", "export", credential_id, "-o", out, "--data", data, "--base-url", BASE_URL
    )
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def verify_file(path: Path, *args: str) -> Any:
    return run("proof", "verify", path, *args)


def test_an_exported_bundle_verifies(bundle_bytes: bytes, tmp_path: Path) -> None:
    path = tmp_path / "proof.json"
    path.write_bytes(bundle_bytes)
    result = verify_file(path, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["result"] == "valid"
    assert report["status"] == {"revocation": "clear", "suspension": "clear"}
    assert report["log"]["event"] == "CredentialIssued"


def test_the_bundle_has_the_contract_fields(bundle_bytes: bytes, issued: tuple[Path, str]) -> None:
    bundle = json.loads(bundle_bytes)
    assert {"credential", "leaf", "inclusion", "checkpoint", "log_key"} <= set(bundle)
    assert bundle["credential"]["id"] == f"urn:uuid:{issued[1]}"
    assert bundle["inclusion"]["size"] > bundle["leaf"]["index"]


def test_verifying_needs_no_network(
    bundle_bytes: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*_: object, **__: object) -> None:
        raise AssertionError("proof verify tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    path = tmp_path / "proof.json"
    path.write_bytes(bundle_bytes)
    assert verify_file(path).exit_code == 0


def test_a_cbor_export_verifies_and_holds_the_same_bundle(
    issued: tuple[Path, str], bundle_bytes: bytes, tmp_path: Path
) -> None:
    data, credential_id = issued
    out = tmp_path / "proof.cbor"
    args = ("--data", data, "--base-url", BASE_URL, "--format", "cbor")
    assert run("proof", "export", credential_id, "-o", out, *args).exit_code == 0
    assert out.read_bytes()[:1] != b"{"
    assert verify_file(out).exit_code == 0
    assert cbor.decode(out.read_bytes())["credential"] == json.loads(bundle_bytes)["credential"]


def flipped(data: bytes, position: int, mask: int) -> bytes:
    changed = bytearray(data)
    changed[position] ^= mask
    return bytes(changed)


def test_flipping_any_bit_of_a_json_bundle_makes_it_fail(bundle_bytes: bytes) -> None:
    verify_bundle(load_bundle(bundle_bytes))
    for position in range(0, len(bundle_bytes), 5):
        for mask in (0x01, 0x20, 0x80)[position % 3 :: 3]:
            with pytest.raises(BundleError):
                verify_bundle(load_bundle(flipped(bundle_bytes, position, mask)))


def test_flipping_any_bit_of_a_cbor_bundle_makes_it_fail(bundle_bytes: bytes) -> None:
    data = cbor.encode(json.loads(bundle_bytes))
    verify_bundle(load_bundle(data))
    for position in range(0, len(data), 4):
        for mask in (0x01, 0x40, 0x80)[position % 3 :: 3]:
            with pytest.raises(BundleError):
                verify_bundle(load_bundle(flipped(data, position, mask)))


def _content(data: bytes) -> Any:
    """The JSON content of a file, or None when it is not JSON at all."""
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_any_single_byte_change_is_refused_unless_the_content_is_the_same(
    bundle_bytes: bytes, data: st.DataObject
) -> None:
    position = data.draw(st.integers(0, len(bundle_bytes) - 1))
    value = data.draw(st.integers(0, 255).filter(lambda v: v != bundle_bytes[position]))
    changed = bytearray(bundle_bytes)
    changed[position] = value
    if _content(bytes(changed)) == json.loads(bundle_bytes):
        verify_bundle(load_bundle(bytes(changed)))  # e.g. a space became a tab
    else:
        with pytest.raises(BundleError):
            verify_bundle(load_bundle(bytes(changed)))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    indent=st.one_of(st.none(), st.integers(0, 8), st.sampled_from(["\t", " "])),
    compact=st.booleans(),
    sort_keys=st.booleans(),
    ensure_ascii=st.booleans(),
    newline=st.sampled_from(["\n", "\r\n"]),
    final_newline=st.booleans(),
    bom=st.booleans(),
)
def test_any_json_serialisation_of_the_same_bundle_verifies(
    bundle_bytes: bytes,
    indent: int | str | None,
    compact: bool,
    sort_keys: bool,
    ensure_ascii: bool,
    newline: str,
    final_newline: bool,
    bom: bool,
) -> None:
    separators = (",", ":") if compact else None
    text = json.dumps(
        json.loads(bundle_bytes),
        indent=indent,
        separators=separators,
        sort_keys=sort_keys,
        ensure_ascii=ensure_ascii,
    )
    text = text.replace("\n", newline) + (newline if final_newline else "")
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    verify_bundle(load_bundle(data))


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_any_change_to_the_content_fails_however_it_is_serialised(
    bundle_bytes: bytes, data: st.DataObject
) -> None:
    bundle = json.loads(bundle_bytes)
    paths = list(_leaf_paths(bundle))
    path = data.draw(st.sampled_from(paths))
    _replace(bundle, path, data.draw(_other_value(_get(bundle, path))))
    compact = json.dumps(bundle, separators=(",", ":")).encode()
    with pytest.raises(BundleError):
        verify_bundle(load_bundle(compact))


def _leaf_paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaf_paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaf_paths(item, (*path, i))
    else:
        yield path


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> None:
    _get(value, path[:-1])[path[-1]] = new


def _other_value(old: Any) -> st.SearchStrategy[Any]:
    if isinstance(old, bool):
        return st.just(not old)
    if isinstance(old, int):
        return st.integers(-1, 2**40).filter(lambda v: v != old)
    if isinstance(old, str) and old:
        return st.integers(0, len(old) - 1).flatmap(
            lambda i: st.characters(exclude_characters=old[i]).map(
                lambda c: old[:i] + c + old[i + 1 :]
            )
        )
    return st.just("changed")


def test_a_json_copy_with_a_duplicate_key_is_refused(bundle_bytes: bytes) -> None:
    text = bundle_bytes.decode().replace('{\n  "checkpoint"', '{\n  "leaf": {},\n  "checkpoint"', 1)
    with pytest.raises(MalformedBundleError, match="twice"):
        load_bundle(text.encode())


def test_a_plain_credential_is_sent_to_credledger_verify(
    bundle_bytes: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(json.loads(bundle_bytes)["credential"]))
    result = verify_file(path)
    assert result.exit_code == 2, result.output
    assert "credledger verify" in result.output


@pytest.mark.slow
def test_every_bit_of_every_byte_matters(bundle_bytes: bytes) -> None:
    for position in range(len(bundle_bytes)):
        for bit in range(8):
            with pytest.raises(BundleError):
                verify_bundle(load_bundle(flipped(bundle_bytes, position, 1 << bit)))


def test_the_command_exits_1_on_a_changed_byte_even_if_the_json_breaks(
    bundle_bytes: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "proof.json"
    for position in (0, 1, len(bundle_bytes) // 3, len(bundle_bytes) // 2, len(bundle_bytes) - 2):
        path.write_bytes(flipped(bundle_bytes, position, 0x04))
        result = verify_file(path)
        assert result.exit_code == 1, (position, result.output)
        assert "invalid" in result.output


def test_truncated_files_fail(bundle_bytes: bytes) -> None:
    for changed in (bundle_bytes[:-3], bundle_bytes[: len(bundle_bytes) // 2], b"{"):
        with pytest.raises(MalformedBundleError):
            load_bundle(changed)


def test_the_file_without_its_final_newline_or_with_crlf_or_padding_verifies(
    bundle_bytes: bytes,
) -> None:
    for copy in (
        bundle_bytes[:-1],
        bundle_bytes + b" ",
        b" " + bundle_bytes,
        bundle_bytes.replace(b"\n", b"\r\n"),
    ):
        verify_bundle(load_bundle(copy))


def test_the_servers_compact_json_verifies(bundle_bytes: bytes) -> None:
    compact = json.dumps(json.loads(bundle_bytes), separators=(",", ":")).encode()
    verify_bundle(load_bundle(compact))


def test_a_field_nothing_vouches_for_is_refused(bundle_bytes: bytes) -> None:
    bundle = json.loads(bundle_bytes)
    bundle["comment"] = "trust me"
    with pytest.raises(MalformedBundleError, match="comment"):
        verify_bundle(load_bundle(dump_json(bundle)))


def test_a_pinned_log_key_must_be_the_bundles(bundle_bytes: bytes, tmp_path: Path) -> None:
    other = open_ledger(tmp_path / "other", BASE_URL)
    try:
        other_key = other.tlog.vkey
    finally:
        other.close()
    with pytest.raises(UntrustedKeyError):
        verify_bundle(load_bundle(bundle_bytes), trusted_log_key=other_key)
    path = tmp_path / "proof.json"
    path.write_bytes(bundle_bytes)
    assert verify_file(path, "--log-key", other_key).exit_code == 1
    own = json.loads(bundle_bytes)["log_key"]
    assert verify_file(path, "--log-key", own).exit_code == 0


def test_another_credentials_leaf_does_not_prove_this_one(bundle_bytes: bytes) -> None:
    bundle = json.loads(bundle_bytes)
    bundle["credential"]["id"] = "urn:uuid:00000000-0000-4000-8000-000000000000"
    with pytest.raises(LeafMismatchError):
        verify_bundle(bundle)


def test_a_credential_changed_and_re_anchored_elsewhere_fails(bundle_bytes: bytes) -> None:
    bundle = json.loads(bundle_bytes)
    bundle["inclusion"]["path"] = bundle["inclusion"]["path"][:-1]
    with pytest.raises(ProofFailedError):
        verify_bundle(bundle)


def test_a_status_list_bundled_for_the_wrong_purpose_fails(bundle_bytes: bytes) -> None:
    bundle = json.loads(bundle_bytes)
    first, second = bundle["status_lists"]
    first["purpose"], second["purpose"] = second["purpose"], first["purpose"]
    with pytest.raises(LeafMismatchError):
        verify_bundle(bundle)


def test_without_its_status_lists_the_status_is_undecided(
    bundle_bytes: bytes, tmp_path: Path
) -> None:
    bundle = json.loads(bundle_bytes)
    bundle["status_lists"] = []
    report = verify_bundle(bundle)
    assert report.undecided
    assert set(report.status.values()) == {"unknown"}
    path = tmp_path / "proof.json"
    path.write_bytes(dump_json(bundle))
    assert verify_file(path).exit_code == 2


def test_an_expired_credential_is_invalid(bundle_bytes: bytes) -> None:
    from datetime import UTC, datetime

    with pytest.raises(CredentialInvalidError, match="expired"):
        verify_bundle(json.loads(bundle_bytes), clock=lambda: datetime(2999, 1, 1, tzinfo=UTC))


def test_a_revoked_credentials_bundle_says_so_and_exits_1(tmp_path: Path) -> None:
    data = tmp_path / "ledger"
    ledger = open_ledger(data, BASE_URL)
    try:
        school = add_school(ledger, did_method="key")
        credential_id = award(ledger, school, "bob@example.org")
        ledger.change_status(Act(str(school.issuer)), credential_id, "revoke", "fraud")
    finally:
        ledger.close()
    out = tmp_path / "proof.json"
    args = ("--data", data, "--base-url", BASE_URL)
    assert run("proof", "export", str(credential_id), "-o", out, *args).exit_code == 0
    result = verify_file(out, "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["status"]["revocation"] == "revoked"


def test_export_from_a_server_by_id_needs_the_issuers_token(tmp_path: Path) -> None:
    with live_ledger(tmp_path / "server") as live:
        school = add_school(live.ledger)
        credential_id = award(live.ledger, school, "carol@example.org")
        out = tmp_path / "proof.json"
        anonymous = run("proof", "export", str(credential_id), "-o", out, "--server", live.url)
        assert anonymous.exit_code == 2
        assert not out.exists()
        result = run(
            "proof", "export", str(credential_id), "-o", out, "--server", live.url,
            "--token", school.token,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        # a did:web issuer: its DID document comes from the server (on 127.0.0.1: http)
        assert verify_file(out, "--allow-private").exit_code == 0


def test_a_holder_exports_by_presenting_the_credential(tmp_path: Path) -> None:
    with live_ledger(tmp_path / "server") as live:
        school = add_school(live.ledger, did_method="key")
        credential_id = award(live.ledger, school, "carol@example.org")
        held = tmp_path / "credential.json"
        held.write_text(json.dumps(signed_credential(live.ledger, credential_id)))
        out = tmp_path / "proof.json"
        result = run("proof", "export", held, "-o", out, "--server", live.url)
        assert result.exit_code == 0, result.output
    assert verify_file(out).exit_code == 0
    assert json.loads(out.read_text())["credential"] == json.loads(held.read_text())


def test_the_servers_own_proof_answer_saved_as_curl_saves_it_verifies(tmp_path: Path) -> None:
    with live_ledger(tmp_path / "server") as live:
        registered = live.ledger.register_issuer(Act(ADMIN), "Hogeschool Noord")
        issuer = str(registered.issuer.id)
        achievement = live.ledger.define_achievement(Act(issuer), microcredential_definition())
        issued = live.ledger.issue_credential(Act(issuer), achievement.id, {"email": "d@e.nl"})
        answer = httpx.get(
            f"{live.url}/v1/credentials/{issued.credential.id}/proof",
            headers={"Authorization": f"Bearer {registered.token}"},
        )
        assert answer.status_code == 200, answer.text
        did_document = tmp_path / "did.json"  # a did:web issuer; the server stops below
        did_document.write_text(json.dumps(live.ledger.dids.document(registered.issuer.id)))
    path = tmp_path / "proof.json"
    path.write_bytes(answer.content)  # curl -o: the body as sent, no final newline
    assert verify_file(path, "--did-document", str(did_document)).exit_code == 0


def test_exporting_an_unknown_credential_fails(tmp_path: Path) -> None:
    with live_ledger(tmp_path / "server") as live:
        school = add_school(live.ledger)
        missing = "00000000-0000-4000-8000-000000000000"
        result = run(
            "proof", "export", missing, "-o", tmp_path / "x", "--server", live.url,
            "--token", school.token,
        )  # fmt: skip
    assert result.exit_code == 1
    assert not (tmp_path / "x").exists()


def test_a_missing_file_is_undecided(tmp_path: Path) -> None:
    assert verify_file(tmp_path / "nothing.json").exit_code == 2
