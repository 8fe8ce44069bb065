"""The career ladder drawn as a path: every post of the ladders the person's post sits on,
laid out in rows by level (the highest on top), the steps between them as arrows (promotions
solid, branches dashed, lateral moves dotted), with the current post ("you are here"), the
target and the posts already held marked.

``ladder_drawing`` computes the geometry; ``templates/career/me/_ladder.html`` renders it as an
inline SVG with a text list of the same steps for screen readers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from lms.career.models import CareerLadder, CareerStep
from lms.extensions import db
from lms.organisation.models import Post

NODE_W = 184
NODE_H = 62
GAP_X = 28
GAP_Y = 64
MARGIN_LEFT = 44  # room for the level labels
MARGIN_TOP = 36  # room for lateral arcs over the top row
MARGIN = 12
LINE_UNITS = 28  # a line of a node's name, in half-width characters
FONT_PX = 13
FLAG_PX = 10  # the caption's size


@dataclass
class Node:
    post: Post
    level: int
    x: float = 0
    y: float = 0
    lines: list[str] = field(default_factory=list)
    name: str = ""
    current: bool = False
    target: bool = False
    reached: bool = False  # held before
    next: bool = False  # one step from the current post

    @property
    def state(self) -> str:
        if self.current:
            return "current"
        if self.target:
            return "target"
        if self.reached:
            return "reached"
        return "next" if self.next else "other"

    @property
    def cx(self) -> float:
        return self.x + NODE_W / 2

    @property
    def flagged(self) -> bool:
        """Whether the node carries a caption ("you are here", "target") on its first line."""
        return self.current or self.target

    @property
    def line_ys(self) -> list[float]:
        """The middle of each line of the name: centred in the node, below the caption."""
        top = self.y + (FLAG_PX + 6 if self.flagged else 0)
        middle = (top + self.y + NODE_H) / 2
        step = FONT_PX * 1.3
        first = middle - (len(self.lines) - 1) * step / 2
        return [first + k * step for k in range(len(self.lines))]

    @property
    def flag_y(self) -> float:
        return self.y + 5 + FLAG_PX / 2


@dataclass
class Edge:
    step: CareerStep
    source: Node
    dest: Node
    d: str = ""  # the SVG path
    from_current: bool = False
    to_target: bool = False

    @property
    def kind(self) -> str:
        return str(self.step.kind)


@dataclass
class Drawing:
    width: float
    height: float
    nodes: list[Node]
    edges: list[Edge]
    ladders: list[CareerLadder]
    levels: list[tuple[int, float]]  # a level and the y of its row's middle
    ladder_names: list[str] = field(default_factory=list)
    node_w: int = NODE_W
    node_h: int = NODE_H
    font_px: int = FONT_PX


def _units(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def wrap(text: str, units: int = LINE_UNITS, max_lines: int = 2) -> list[str]:
    """A name in at most two lines that fit a node: breaks between words, or anywhere in
    Chinese; the rest ends in an ellipsis."""
    lines: list[str] = []
    current = ""
    tokens = text.split(" ") if " " in text else list(text)
    joiner = " " if " " in text else ""
    for token in tokens:
        candidate = f"{current}{joiner}{token}" if current else token
        if _units(candidate) <= units or not current:
            current = candidate
            continue
        lines.append(current)
        current = token
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and _units(last) > units - 1:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last.rstrip() + "…"]
    return lines


def _ladder_steps(post_ids: Iterable[int]) -> list[CareerStep]:
    """Every step of every ladder with a step touching one of these posts, in one statement
    (with the ladders and posts)."""
    post_ids = [p for p in post_ids if p is not None]
    if not post_ids:
        return []
    touching = (
        sa.select(CareerStep.ladder_id)
        .where(sa.or_(CareerStep.from_post_id.in_(post_ids), CareerStep.to_post_id.in_(post_ids)))
        .scalar_subquery()
    )
    return list(
        db.session.scalars(
            sa.select(CareerStep)
            .join(CareerLadder, CareerLadder.id == CareerStep.ladder_id)
            .where(CareerStep.ladder_id.in_(touching))
            .options(
                joinedload(CareerStep.ladder),
                joinedload(CareerStep.from_post),
                joinedload(CareerStep.to_post),
            )
            .order_by(CareerLadder.position, CareerLadder.id, CareerStep.position, CareerStep.id)
        ).unique()
    )


def ladder_drawing(
    current_post_id: int | None,
    target_post_id: int | None,
    reached_post_ids: Iterable[int],
    locale: str,
) -> Drawing | None:
    """The drawing of the person's ladders, or None when their post is on none."""
    steps = _ladder_steps([current_post_id] if current_post_id else [])
    if not steps:
        return None
    reached = set(reached_post_ids) - {current_post_id}
    nodes: dict[int, Node] = {}
    for step in steps:  # in ladder and step order: the order posts appear in their rows
        for post in (step.from_post, step.to_post):
            if post.id not in nodes:
                nodes[post.id] = Node(post=post, level=post.level)
    next_ids = {s.to_post_id for s in steps if s.from_post_id == current_post_id}
    for node in nodes.values():
        node.name = node.post.display_name(locale)
        node.lines = wrap(node.name)
        node.current = node.post.id == current_post_id
        node.target = node.post.id == target_post_id
        node.reached = node.post.id in reached
        node.next = node.post.id in next_ids
    levels = sorted({n.level for n in nodes.values()}, reverse=True)
    rows: dict[int, list[Node]] = defaultdict(list)
    for node in nodes.values():
        rows[node.level].append(node)
    widest = max(len(r) for r in rows.values())
    width = MARGIN_LEFT + widest * NODE_W + (widest - 1) * GAP_X + MARGIN
    level_rows = []
    for index, level in enumerate(levels):
        row = rows[level]
        used = len(row) * NODE_W + (len(row) - 1) * GAP_X
        left = MARGIN_LEFT + (width - MARGIN_LEFT - MARGIN - used) / 2
        y = MARGIN_TOP + index * (NODE_H + GAP_Y)
        for n, node in enumerate(row):
            node.x, node.y = left + n * (NODE_W + GAP_X), y
        level_rows.append((level, y + NODE_H / 2))
    height = MARGIN_TOP + len(levels) * NODE_H + (len(levels) - 1) * GAP_Y + MARGIN
    edges = [
        Edge(
            step=s,
            source=nodes[s.from_post_id],
            dest=nodes[s.to_post_id],
            from_current=s.from_post_id == current_post_id,
            to_target=s.from_post_id == current_post_id and s.to_post_id == target_post_id,
        )
        for s in steps
    ]
    _route(edges)
    ladders = list({s.ladder_id: s.ladder for s in steps}.values())
    names = [ladder.display_name(locale) for ladder in ladders]
    return Drawing(width, height, list(nodes.values()), edges, ladders, level_rows, names)


def _route(edges: list[Edge]) -> None:
    """Each edge's path: up (or down) from one row to another as an S-curve, within a row as
    an arc over it; the ends of several edges at one side of a node are spread along it."""
    ends: dict[tuple[int, str], list[Edge]] = defaultdict(list)
    sides = {}
    for edge in edges:
        a, b = edge.source, edge.dest
        if a.level == b.level:
            out_side, in_side = "top", "top"
        elif b.level > a.level:
            out_side, in_side = "top", "bottom"
        else:
            out_side, in_side = "bottom", "top"
        sides[id(edge)] = (out_side, in_side)
        ends[(a.post.id, out_side)].append(edge)
        ends[(b.post.id, in_side)].append(edge)

    def spot(node: Node, side: str, edge: Edge) -> tuple[float, float]:
        group = sorted(
            ends[(node.post.id, side)],
            key=lambda e: (e.dest if e.source is node else e.source).cx,
        )
        k = group.index(edge)
        x = node.x + NODE_W * (k + 1) / (len(group) + 1)
        return x, node.y if side == "top" else node.y + NODE_H

    for edge in edges:
        out_side, in_side = sides[id(edge)]
        sx, sy = spot(edge.source, out_side, edge)
        ex, ey = spot(edge.dest, in_side, edge)
        if out_side == in_side:  # a lateral move: an arc over the row
            lift = sy - GAP_Y / 2
            edge.d = (
                f"M{sx:.1f},{sy:.1f} C{sx:.1f},{lift:.1f} {ex:.1f},{lift:.1f} {ex:.1f},{ey:.1f}"
            )
        else:
            mid = (sy + ey) / 2
            edge.d = f"M{sx:.1f},{sy:.1f} C{sx:.1f},{mid:.1f} {ex:.1f},{mid:.1f} {ex:.1f},{ey:.1f}"
