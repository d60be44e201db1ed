#!/usr/bin/env python3
"""For the eval datasets (scripts/make-eval-datasets.mjs): a Python file without its docstrings, and
its documented functions with their line ranges in that copy.

Reads a path, prints JSON: {"text": the copy, "functions": [{"name", "doc", "start", "end"}]}.
Docstrings are deleted with their lines (a body that was only a docstring gets `...`, so the copy
still parses); a function's range starts at its first decorator. Python's own parser (ast) finds
them, so the dataset does not depend on Quipu's tree-sitter chunker.
"""
import ast
import json
import sys


def main(path):
    with open(path, encoding="utf-8") as f:
        source = f.read()
    tree = ast.parse(source)
    lines = source.split("\n")
    removed = set()
    replaced = {}
    documented = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        body = node.body
        if not body or not isinstance(body[0], ast.Expr) or not isinstance(body[0].value, ast.Constant) or not isinstance(body[0].value.value, str):
            continue
        doc = body[0]
        first, last = doc.lineno, doc.end_lineno
        # Only a docstring on lines of its own is deleted with them.
        if lines[first - 1][: doc.col_offset].strip() or lines[last - 1][doc.end_col_offset :].strip():
            continue
        for line in range(first, last + 1):
            removed.add(line)
        if len(body) == 1:
            removed.discard(first)
            replaced[first] = lines[first - 1][: doc.col_offset] + "..."
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            documented.append((node.name, ast.get_docstring(node) or "", start, node.end_lineno))
    out = []
    new_line = {}
    for number, text in enumerate(lines, start=1):
        if number in removed:
            continue
        out.append(replaced.get(number, text))
        new_line[number] = len(out)
    functions = [
        {"name": name, "doc": doc, "start": new_line[start], "end": new_line[end]}
        for name, doc, start, end in documented
        if start in new_line and end in new_line
    ]
    json.dump({"text": "\n".join(out), "functions": functions}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
