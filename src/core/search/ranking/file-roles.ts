/**
 * What part a file plays in its repository, read from its path: the implementation, or a test, an
 * example, documentation, a type stub, a vendored or generated copy, a re-export barrel. A question
 * about code is answered by the implementation first; the others come after it unless the question
 * asks for them (query-intent.ts) or a filter chose them.
 */
import type { AskedRole } from './query-intent';

export type FileRole = 'implementation' | 'test' | 'example' | 'doc' | 'stub' | 'vendored' | 'generated' | 'barrel';

const TEST_FILE = new RegExp(
  '(?:^|/)(?:' +
    [
      'test_[^/]*\\.(?:py|c|cc|cpp|lua|dart)', // test_foo.py, test_foo.c
      '[^/]*_(?:test|spec)\\.[a-z]+', // foo_test.go, foo_spec.rb, foo_test.lua
      '[^/]*\\.(?:test|spec)\\.[cm]?[jt]sx?', // foo.test.ts, foo.spec.js
      '[^/]*(?:Tests?|Spec|Suite)\\.(?:java|kt|swift|cs|php|scala)', // FooTest.java, FooSpec.kt
      '[^/]*\\.t', // Perl: foo.t
      'conftest\\.py',
      'test_helpers?[^/]*\\.[a-z]+',
    ].join('|') +
    ')$',
);
const TEST_DIR = /(?:^|\/)(?:tests?|__tests__|specs?|testing|testdata|t)\//i;
const EXAMPLE_DIR = /(?:^|\/)(?:_?examples?|samples?|demos?|docs?_src|tutorials?|benchmarks?|bench)\//i;
const DOC_DIR = /(?:^|\/)(?:docs?|documentation|man|site)\//i;
const DOC_EXT = new Set(['md', 'mdx', 'markdown', 'rst', 'txt', 'adoc', 'asciidoc', 'textile', 'rdoc', 'pod', 'org', 'tex', 'pdf', 'docx', 'html', 'htm']);
const DOC_NAME = /(?:^|\/)(?:readme|changelog|changes|history|news|contributing|license|licence|copying|authors|security|upgrading|migration)(?:\.[^/]*)?$/i;
const STUB = /\.d\.[cm]?ts$|\.pyi$/;
const VENDORED = /(?:^|\/)(?:vendor|vendored|third[_-]?party|node_modules|bower_components|external|deps|_vendor|extern)\//i;
const GENERATED = /(?:\.min\.[cm]?js|\.bundle\.js|_pb2(?:_grpc)?\.py|\.pb\.go|\.pb\.[ch]c?|\.generated\.\w+|_generated\.\w+|\.g\.dart)$|(?:^|\/)(?:generated|gen|dist|build)\//i;
const BARREL = /(?:^|\/)(?:__init__\.py|package-info\.java)$/;

/** The role of a file, by its folder-relative path (forward slashes). */
export function fileRole(path: string): FileRole {
  if (VENDORED.test(path)) return 'vendored';
  if (GENERATED.test(path)) return 'generated';
  if (STUB.test(path)) return 'stub';
  if (TEST_FILE.test(path) || TEST_DIR.test(path)) return 'test';
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  if (DOC_EXT.has(ext) || DOC_NAME.test(path)) return 'doc';
  if (EXAMPLE_DIR.test(path)) return 'example';
  if (DOC_DIR.test(path)) return 'doc';
  if (BARREL.test(path)) return 'barrel';
  return 'implementation';
}

/** The role a query can ask for, for each role that has one. */
export const ASKABLE: Partial<Record<FileRole, AskedRole>> = { test: 'test', doc: 'doc', example: 'example', stub: 'stub' };
