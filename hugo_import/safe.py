"""Reading what a Hugo site holds as if a stranger wrote it: bounded in size, depth and time.

A site to import may come from anyone. Nothing here follows a link out of the site, expands
a YAML alias bomb, recurses without bound or reads a file of unbounded size.
"""

import json
import tomllib
from pathlib import Path

import yaml

MAX_CONFIG_BYTES = 1_000_000
MAX_PAGE_BYTES = 2_000_000
MAX_FRONT_MATTER_BYTES = 100_000
MAX_DEPTH = 32  # tables and lists inside each other; real configs use four or five
MAX_YAML_ALIASES = 100
MAX_YAML_NODES = 20_000  # after aliases are expanded: a billion laughs stops here


class UnsafeInputError(ValueError):
    """The file is too big, too deep or otherwise not something a real site holds."""


class LimitedYAMLLoader(yaml.SafeLoader):
    """PyYAML's safe loader with a bound on nesting and on what aliases expand to."""

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0
        self.aliases = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                raise UnsafeInputError(f"more than {MAX_YAML_ALIASES} YAML aliases")
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise UnsafeInputError(f"nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def compose_document(self):
        node = super().compose_document()
        if expanded_size(node) > MAX_YAML_NODES:
            raise UnsafeInputError(f"expands to more than {MAX_YAML_NODES} values (YAML aliases)")
        return node


def expanded_size(root):
    """How many values the YAML node tree holds once every alias is expanded."""
    sizes, open_nodes = {}, set()
    # Post-order without recursion; shared (aliased) nodes are counted once per reference.
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = yaml_children(node)
        if children_done or not children:
            open_nodes.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
            if sizes[id(node)] > MAX_YAML_NODES:
                return sizes[id(node)]
            continue
        if id(node) in open_nodes:
            raise UnsafeInputError("a YAML alias that contains itself")
        open_nodes.add(id(node))
        stack.append((node, True))
        for child in children:
            if id(child) in open_nodes:
                raise UnsafeInputError("a YAML alias that contains itself")
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes[id(root)] if root is not None else 0


def yaml_children(node):
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def depth_of(value):
    """How deeply lists and tables nest in a parsed value, without recursing."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            items = item.values()
        elif isinstance(item, list | tuple):
            items = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in items)
    return deepest


def parse(text, kind):
    """YAML, TOML or JSON text as Python values; UnsafeInputError or ValueError if unreadable."""
    try:
        if kind == "toml":
            value = tomllib.loads(text)
        elif kind == "json":
            value = json.loads(text)
        else:
            value = yaml.load(text, Loader=LimitedYAMLLoader)  # noqa: S506 (a safe loader)
    except RecursionError as error:
        raise UnsafeInputError(f"nested more than {MAX_DEPTH} levels deep") from error
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, yaml.YAMLError) as error:
        raise ValueError(" ".join(str(error).split())) from error
    if depth_of(value) > MAX_DEPTH:
        raise UnsafeInputError(f"nested more than {MAX_DEPTH} levels deep")
    return value


def read_text(path, limit):
    """The file's text, refused when larger than `limit` bytes or not UTF-8."""
    with Path(path).open("rb") as opened:
        data = opened.read(limit + 1)
    if len(data) > limit:
        raise UnsafeInputError(f"larger than {limit // 1000} kB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnsafeInputError(
            f"not UTF-8 text (byte {error.start} is {data[error.start : error.start + 1]!r}); "
            "save it as UTF-8"
        ) from error


class Boundary:
    """The site's folder: whether a path, once its links are followed, is still inside it."""

    def __init__(self, root):
        self.root = Path(root).resolve()

    def resolve(self, path):
        """The real path inside the site, or None (outside, dangling or a link loop)."""
        try:
            real = Path(path).resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        return real if real.is_relative_to(self.root) else None

    def why_not(self, path):
        """Why a path cannot be read, or "" when it can."""
        try:
            real = Path(path).resolve(strict=True)
        except RuntimeError:
            return "a link loop"
        except OSError:
            return "a link to nothing"
        if not real.is_relative_to(self.root):
            return "a link to outside the site's folder; not followed"
        return ""
