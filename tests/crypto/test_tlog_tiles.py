"""C2SP tlog-tiles: paths in their one canonical form, tiles that give the RFC 9162 tree,
and entry bundles (spec: tests/data/c2sp/tlog-tiles.md)."""

from __future__ import annotations

import pytest
from credledger.crypto.merkle_tree import CompactRange, range_nodes
from credledger.crypto.rfc9162 import EMPTY_ROOT, leaf_hash
from credledger.crypto.tlog_tiles import (
    BLOCK_WIDTH,
    SubtreeRoots,
    TileError,
    TilePathError,
    TileTree,
    block_roots,
    edge_tiles,
    entries_path,
    entry_bundle,
    format_tile_index,
    node_hash_in_blocks,
    node_hash_in_tile,
    node_position,
    parse_tile_index,
    parse_tile_level,
    split_entry_bundle,
    subtree_root,
    tile_count,
    tile_path,
    tile_width,
)
from hypothesis import given, settings
from hypothesis import strategies as st

LEAVES = [leaf_hash(b"leaf %d" % i) for i in range(70_000)]


@pytest.mark.parametrize(
    ("index", "path"),
    [(0, "000"), (5, "005"), (999, "999"), (1000, "x001/000"), (1234067, "x001/x234/067")],
)
def test_the_index_is_written_in_groups_of_three_digits(index: int, path: str) -> None:
    assert format_tile_index(index) == path
    assert parse_tile_index(path) == (index, None)


def test_paths_of_tiles_and_bundles_are_the_specs() -> None:
    assert tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tile_path(2, 3, 17) == "tile/2/003.p/17"
    assert entries_path(1234067, 255) == "tile/entries/x001/x234/067.p/255"


@given(st.integers(min_value=0, max_value=2**64), st.none() | st.integers(1, 255))
def test_every_index_and_width_reads_back(index: int, width: int | None) -> None:
    path = format_tile_index(index) + ("" if width is None else f".p/{width}")
    assert parse_tile_index(path) == (index, width)


@pytest.mark.parametrize(
    "path",
    [
        "",
        "5",
        "05",
        "0005",
        "x000/005",  # a leading group of zeros: not the canonical form
        "x001",
        "001/000",  # the x is missing
        "x001/x000",  # the last group has an x
        "x01/000",
        "000.p/0",
        "000.p/256",
        "000.p/01",
        "000.p/",
        "000.p/1/",
        "000.P/1",
        "000/",
        "/000",
        "\u0660\u0660\u0660",  # digits, but not ASCII ones
        "x001/x002/x003/x004/x005/x006/x007/008",  # beyond any tree
        "../000",
    ],
)
def test_a_non_canonical_index_is_refused(path: str) -> None:
    with pytest.raises(TilePathError):
        parse_tile_index(path)


@pytest.mark.parametrize("level", ["0", "1", "63"])
def test_levels_0_to_63(level: str) -> None:
    assert parse_tile_level(level) == int(level)


@pytest.mark.parametrize("level", ["64", "00", "01", "-1", "+1", "", "1 ", "entries", "\u0663"])
def test_other_levels_are_refused(level: str) -> None:
    with pytest.raises(TilePathError):
        parse_tile_level(level)


def test_a_tree_of_70000_is_the_specs_example() -> None:
    """273 full level-0 tiles and one of 112, a full and a partial (17) level-1 tile,
    and a partial (1) level-2 tile."""
    tree = TileTree()
    tiles = {(level, index): data for level, index, data in tree.extend(LEAVES)}
    widths = sorted((level, index, len(data) // 32) for (level, index), data in tiles.items())
    assert widths == (
        [(0, i, 256) for i in range(273)] + [(0, 273, 112), (1, 0, 256), (1, 1, 17), (2, 0, 1)]
    )
    assert edge_tiles(70_000) == [(0, 273, 112), (1, 1, 17), (2, 0, 1)]
    assert tile_count(70_000) == len(tiles)
    assert tile_width(1, 1, 70_000) == 17
    assert tile_width(1, 2, 70_000) == 0


def test_a_tree_of_256_is_one_full_tile_and_a_partial_one_above() -> None:
    tiles = TileTree().extend(LEAVES[:256])
    assert [(lv, i, len(d)) for lv, i, d in tiles] == [(0, 0, 8192), (1, 0, 32)]
    assert tiles[1][2] == CompactRange(256, [subtree_root(LEAVES[:256])]).root()


def test_each_hash_of_a_level_1_tile_is_the_root_of_a_full_tile_below() -> None:
    tiles = {(lv, i): d for lv, i, d in TileTree().extend(LEAVES[:1024])}
    level1 = tiles[(1, 0)]
    for i in range(4):
        assert level1[i * 32 : (i + 1) * 32] == subtree_root(
            [tiles[(0, i)][k : k + 32] for k in range(0, 8192, 32)]
        )


@pytest.mark.parametrize("size", [0, 1, 2, 255, 256, 257, 511, 512, 65535, 65536, 65537, 70_000])
def test_the_root_of_the_tiles_is_the_rfc_9162_root(size: int) -> None:
    tree = TileTree()
    tree.extend(LEAVES[:size])
    assert tree.root() == (CompactRange().root() if not size else _root(size))
    assert tree.size == size


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=300), max_size=12))
def test_the_root_after_every_append_is_the_rfc_9162_root(batches: list[int]) -> None:
    # The border's subtree roots are kept from one root to the next: each root must
    # still be the one the leaves give, however the appends fall.
    tree, size = TileTree(), 0
    for count in batches:
        tree.extend(LEAVES[size : size + count])
        size += count
        assert tree.root() == (CompactRange().root() if not size else _root(size))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=300), max_size=8), st.integers(1, 64))
def test_trees_resumed_from_their_edge_with_shared_roots_give_the_rfc_9162_root(
    batches: list[int], limit: int
) -> None:
    # As a store does it: every append resumes a new tree from the stored edge tiles,
    # the roots remembered across them by the bytes they span (and forgotten at random
    # moments by a small limit); each root must be the one the leaves give.
    shared, size, tiles = SubtreeRoots(limit), 0, dict[tuple[int, int], bytes]()
    for count in batches:
        edge = [(lv, i, tiles[(lv, i)]) for lv, i, _ in edge_tiles(size)]
        tree = TileTree(size, edge, shared)
        tiles.update({(lv, i): d for lv, i, d in tree.extend(LEAVES[size : size + count])})
        size += count
        resumed = TileTree(size, [(lv, i, tiles[(lv, i)]) for lv, i, _ in edge_tiles(size)], shared)
        assert resumed.root() == (CompactRange().root() if not size else _root(size))


@given(st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=64))
def test_a_remembered_subtree_root_is_the_root_of_those_hashes(hashes: list[bytes]) -> None:
    width = 1 << (len(hashes).bit_length() - 1)
    shared = SubtreeRoots(limit=2)
    for start in range(0, len(hashes) - width + 1):
        chunk = hashes[start : start + width]
        assert shared.root(chunk) == subtree_root(chunk)
        assert shared.root(chunk) == subtree_root(chunk)  # remembered


def test_appending_in_any_batches_gives_the_same_tiles() -> None:
    whole = {(lv, i): d for lv, i, d in TileTree().extend(LEAVES[:3000])}
    pieces: dict[tuple[int, int], bytes] = {}
    tree = TileTree()
    for start, end in [(0, 1), (1, 255), (255, 256), (256, 1000), (1000, 2999), (2999, 3000)]:
        for level, index, data in tree.extend(LEAVES[start:end]):
            previous = pieces.get((level, index), b"")
            assert data.startswith(previous)  # a tile only grows
            assert len(previous) < 8192  # and a full one is never written again
            pieces[(level, index)] = data
    assert pieces == whole


def test_a_tree_resumes_from_its_partial_tiles() -> None:
    first = TileTree()
    tiles = {(lv, i): d for lv, i, d in first.extend(LEAVES[: 70_000 - 3])}
    edge = [(lv, i, tiles[(lv, i)]) for lv, i, _ in edge_tiles(first.size)]
    resumed = TileTree(first.size, edge)
    resumed.extend(LEAVES[70_000 - 3 :])
    assert resumed.root() == _root(70_000)


def test_a_resumed_tree_needs_the_exact_partial_tiles() -> None:
    tiles = {(lv, i): d for lv, i, d in TileTree().extend(LEAVES[:300])}
    with pytest.raises(TileError):
        TileTree(300, [(0, 1, tiles[(0, 1)][:-32]), (1, 0, tiles[(1, 0)])])
    with pytest.raises(TileError):
        TileTree(300, [(0, 1, tiles[(0, 1)])])


def test_every_perfect_subtree_is_read_out_of_its_tile() -> None:
    size = 70_000
    tiles = {(lv, i): d for lv, i, d in TileTree().extend(LEAVES[:size])}
    stored = {(lv, i): h for lv, i, h in CompactRange().extend(LEAVES[:size])}
    for (level, index), expected in list(stored.items())[::97] + list(stored.items())[-50:]:
        tile_level, tile_index, first, count = node_position(level, index)
        assert node_hash_in_tile(tiles[(tile_level, tile_index)], first, count) == expected


def test_a_full_tiles_block_roots_are_its_subtrees_of_16_hashes() -> None:
    tile = b"".join(LEAVES[:256])
    roots = block_roots(tile)
    assert len(roots) == 512
    for block in range(16):
        expected = subtree_root(LEAVES[block * BLOCK_WIDTH : (block + 1) * BLOCK_WIDTH])
        assert roots[block * 32 : (block + 1) * 32] == expected
    assert subtree_root([roots[i : i + 32] for i in range(0, 512, 32)]) == subtree_root(
        LEAVES[:256]
    )


@given(st.integers(0, 8), st.integers(0, 255), st.integers(0, 69_000 // 256 - 1))
def test_every_node_of_a_full_tile_is_the_same_from_its_block_roots(
    height: int, position: int, tile: int
) -> None:
    data = b"".join(LEAVES[tile * 256 : (tile + 1) * 256])
    count = 1 << height
    first = position // count * count
    expected = node_hash_in_tile(data, first, count)
    assert node_hash_in_blocks(data, block_roots(data), first, count) == expected


def test_filling_a_tile_gives_the_block_roots_hashing_its_root_computed() -> None:
    tree = TileTree(200, [(0, 0, b"".join(LEAVES[:200]))])
    tiles, filled = tree.extend_with_blocks(LEAVES[200:600])
    assert sorted(filled) == [(0, 0), (0, 1)]
    for level, index, data in tiles:
        if (level, index) in filled:
            assert filled[(level, index)] == block_roots(data)


def test_only_a_full_tile_has_block_roots() -> None:
    with pytest.raises(TileError):
        block_roots(b"".join(LEAVES[:255]))


def test_a_node_past_a_partial_tile_is_not_there() -> None:
    tiles = {(lv, i): d for lv, i, d in TileTree().extend(LEAVES[:10])}
    with pytest.raises(TileError):
        node_hash_in_tile(tiles[(0, 0)], 8, 4)


def test_subtree_roots_need_a_power_of_two_of_hashes() -> None:
    with pytest.raises(TileError):
        subtree_root(LEAVES[:3])
    with pytest.raises(TileError):
        subtree_root([])


@given(st.lists(st.binary(max_size=600), max_size=20))
def test_entry_bundles_read_back(entries: list[bytes]) -> None:
    bundle = entry_bundle(entries)
    assert split_entry_bundle(bundle) == entries
    assert len(bundle) == sum(2 + len(e) for e in entries)


def test_an_entry_has_a_big_endian_length() -> None:
    assert entry_bundle([b"abc", b""]) == b"\x00\x03abc\x00\x00"
    assert entry_bundle([b"x" * 258])[:2] == b"\x01\x02"


def test_entries_longer_than_a_uint16_do_not_fit() -> None:
    assert len(entry_bundle([b"x" * 0xFFFF])) == 0x10001
    with pytest.raises(TileError):
        entry_bundle([b"x" * 0x10000])


@pytest.mark.parametrize("bundle", [b"\x00", b"\x00\x05abc", b"\x00\x01a\x00"])
def test_a_truncated_bundle_is_refused(bundle: bytes) -> None:
    with pytest.raises(TileError):
        split_entry_bundle(bundle)


def _root(size: int) -> bytes:
    if not size:
        return EMPTY_ROOT
    nodes = {(lv, i): h for lv, i, h in CompactRange().extend(LEAVES[:size])}
    return CompactRange(size, [nodes[n] for n in range_nodes(0, size)]).root()
