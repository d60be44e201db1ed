/**
 * Which nodes of a tree-sitter parse are declarations, and what a reader calls them.
 *
 * Beyond the declaration statements every grammar has (`function f`, `class C`, `def f`, `fn f`),
 * code defines things by assignment, and a large share of real JavaScript is written that way:
 * `exports.parse = function …`, `Queue.prototype.push = function …`, `module.exports = { sleep() {…} }`,
 * `Object.defineProperty(o, 'x', { get: function … })`, and whole modules inside an IIFE or an AMD
 * `define([...], function …)`. Each of those is a declaration here, named as its callers name it:
 * - `exports.parse`, `module.exports.parse` → `parse`: the module object has no name of its own
 *   (callers write `cookie.parse` after `require('cookie')`), and the path is in front of every chunk;
 * - `Queue.prototype.push` → `Queue.push`, as a method of the class it extends; `Queue.create` stays
 *   (under the enclosing function when written inside one: `connect.socket.onopen`);
 * - `this.size = function …` in a constructor → `Queue.size`;
 * - the properties of `module.exports = {…}` and `export default {…}` are the module's own names
 *   (`sleep`), and those of `const api = {…}` are `api.get`;
 * - Go methods are `Type.Method`; C++ out-of-line methods keep their `Class::method`.
 */

export interface StructureUnit {
  /** 1-based, inclusive; leading doc comments included. */
  startLine: number;
  endLine: number;
  /** The unit's name ("parseHeader", "Parser", "Install > From npm"). */
  name: string;
  children: StructureUnit[];
  /** A signature without a body (a TypeScript overload): packed with its neighbours like a tiny unit. */
  signature?: boolean;
}

export interface SyntaxNode {
  type: string;
  text: string;
  startPosition: { row: number };
  endPosition: { row: number; column: number };
  namedChildren: (SyntaxNode | null)[];
  previousNamedSibling: SyntaxNode | null;
  childForFieldName(name: string): SyntaxNode | null;
}

/** Node types that are units of their own, in every grammar. */
const DECLARATIONS = new Set([
  // JavaScript / TypeScript
  'function_declaration', 'generator_function_declaration', 'class_declaration', 'abstract_class_declaration',
  'method_definition', 'interface_declaration', 'type_alias_declaration', 'enum_declaration', 'internal_module',
  'function_signature', 'method_signature', 'abstract_method_signature', // TypeScript overloads and `declare`s
  // Python
  'function_definition', 'class_definition', 'decorated_definition',
  // Go, Java, C#
  'method_declaration', 'type_declaration', 'constructor_declaration', 'record_declaration', 'struct_declaration',
  'namespace_declaration', 'file_scoped_namespace_declaration', 'annotation_type_declaration', 'destructor_declaration',
  'operator_declaration', 'property_declaration', 'delegate_declaration', 'local_function_statement',
  // Rust
  'function_item', 'function_signature_item', 'impl_item', 'struct_item', 'enum_item', 'trait_item', 'mod_item',
  'union_item', 'macro_definition',
  // C / C++
  'class_specifier', 'struct_specifier', 'namespace_definition',
  // Ruby
  'method', 'singleton_method', 'class', 'module',
  // PHP (its functions, classes, methods, interfaces and enums share the names above)
  'trait_declaration',
]);

/** Grammars whose assignment and call forms are read as JavaScript's. */
const JS_GRAMMARS = new Set(['javascript', 'typescript', 'tsx']);

/** What a node stands for: a declaration, or a wrapper whose bodies hold declarations as if at its level. */
type Found =
  | {
      kind: 'unit';
      name: string;
      /** The name is complete (`Queue.push`), not to be put after the enclosing unit's. */
      absolute?: boolean;
      /** Where the unit's own members are (a class body, a function, an object literal). */
      body: SyntaxNode;
      /** The prefix for the members' names, when it is not the unit's name ('' for the module's exports). */
      memberPrefix?: string;
    }
  | { kind: 'transparent'; bodies: SyntaxNode[] };

/** The declarations inside `node` (not inside nested declarations: those are their children). */
export function unitsUnder(node: SyntaxNode, prefix: string, grammar: string): StructureUnit[] {
  const units: StructureUnit[] = [];
  for (const child of node.namedChildren) {
    if (!child) continue;
    const found = declarationOf(child, grammar, prefix === '');
    if (!found) {
      if (child.namedChildren.length === 0) continue;
      if (!isLeafLike(child)) units.push(...unitsUnder(child, prefix, grammar));
      else if (JS_GRAMMARS.has(grammar)) units.push(...functionsWithin(child, prefix, grammar));
      continue;
    }
    if (found.kind === 'transparent') {
      for (const body of found.bodies) units.push(...unitsUnder(body, prefix, grammar));
      continue;
    }
    const name = found.absolute || !prefix ? found.name : `${prefix}.${found.name}`;
    const unit = { startLine: leadingCommentStart(child) + 1, endLine: child.endPosition.row + 1, name, children: unitsUnder(found.body, found.memberPrefix ?? name, grammar) };
    // TypeScript overloads (`function f(a: A): X;` … then the body) are one declaration with it, whose
    // parts are the signatures and the implementation: too large for a chunk, it is cut between them,
    // so the implementation keeps a chunk of its own.
    const previous = units[units.length - 1];
    if (previous && previous.name === name && overloads.has(previous) && previous.endLine < unit.startLine) {
      previous.endLine = unit.endLine;
      previous.children.push(isSignature(child) ? { ...unit, signature: true } : unit);
      if (!isSignature(child)) overloads.delete(previous);
      continue;
    }
    if (isSignature(child)) {
      const group = { ...unit, children: [{ ...unit, signature: true }] };
      overloads.add(group);
      units.push(group);
      continue;
    }
    units.push(unit);
  }
  return units;
}

/** Units that so far hold only overload signatures, waiting for their implementation. */
const overloads = new WeakSet<StructureUnit>();

function isSignature(node: SyntaxNode): boolean {
  if (node.type === 'export_statement') {
    const inner = node.childForFieldName('declaration');
    return inner ? isSignature(inner) : false;
  }
  return /^(function_signature|method_signature|abstract_method_signature)$/.test(node.type);
}

/**
 * Inside an expression (`return wrapAsync(async function dispatchHttpRequest…)`, `promise.then(…)`):
 * a named function expression is a declaration of that name, and an anonymous one's body holds
 * declarations as if written around it.
 */
function functionsWithin(node: SyntaxNode, prefix: string, grammar: string): StructureUnit[] {
  const units: StructureUnit[] = [];
  for (const child of node.namedChildren) {
    if (!child || /string|comment|regex|template/.test(child.type)) continue;
    const name = /function/.test(child.type) ? child.childForFieldName('name')?.text : undefined;
    // `var add = _curry2(function add(a, b) {…})`: the function is the unit itself, not a child of it.
    const sameAsUnit = name !== undefined && prefix.slice(prefix.lastIndexOf('.') + 1) === name;
    if (name && !sameAsUnit) {
      const qualified = prefix ? `${prefix}.${name}` : name;
      units.push({ startLine: child.startPosition.row + 1, endLine: child.endPosition.row + 1, name: qualified, children: unitsUnder(child, qualified, grammar) });
    } else if (isFunctionLike(child) || sameAsUnit) {
      const body = child.childForFieldName('body');
      if (body) units.push(...(body.type === 'statement_block' ? unitsUnder(body, prefix, grammar) : functionsWithin(body, prefix, grammar)));
    } else if (child.namedChildren.length > 0) {
      units.push(...functionsWithin(child, prefix, grammar));
    }
  }
  return units;
}

function declarationOf(node: SyntaxNode, grammar: string, moduleLevel = false): Found | undefined {
  if (JS_GRAMMARS.has(grammar)) {
    const js = jsDeclarationOf(node, grammar, moduleLevel);
    if (js) return js;
  }
  if (node.type === 'template_declaration') {
    // C++ `template <…>` before a function or class: the unit is the whole, named after what it declares.
    const inner = node.namedChildren.find((c) => c && DECLARATIONS.has(c.type));
    return inner ? { kind: 'unit', name: nameOf(inner) ?? inner.type, body: inner } : undefined;
  }
  if (node.type === 'method_declaration' && grammar === 'go') {
    const receiver = node.childForFieldName('receiver');
    const type = receiver?.namedChildren.find((c) => c?.type === 'parameter_declaration')?.childForFieldName('type');
    const name = node.childForFieldName('name')?.text;
    if (type && name) return { kind: 'unit', name: `${type.text.replace(/^\*/, '').replace(/\[.*$/, '')}.${name}`, absolute: true, body: node };
  }
  if (node.type === 'expression_statement' && grammar === 'python') {
    // `handler = lambda event: …`
    const assignment = node.namedChildren[0];
    const right = assignment?.type === 'assignment' ? assignment.childForFieldName('right') : undefined;
    const left = assignment?.childForFieldName('left');
    if (right?.type === 'lambda' && left?.type === 'identifier') return { kind: 'unit', name: left.text, body: right };
  }
  if (node.type === 'decorated_definition') {
    // Python's `@decorator` lines belong to the function or class; its members are the definition's.
    const definition = node.childForFieldName('definition');
    return definition ? { kind: 'unit', name: nameOf(definition) ?? definition.type, body: definition } : undefined;
  }
  if (DECLARATIONS.has(node.type)) return { kind: 'unit', name: nameOf(node) ?? node.type, body: node };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// JavaScript and TypeScript

/** `moduleLevel`: at the top of a file (or of an IIFE or AMD module), where a named value is a declaration too. */
function jsDeclarationOf(node: SyntaxNode, grammar: string, moduleLevel: boolean): Found | undefined {
  switch (node.type) {
    case 'export_statement': {
      const inner = node.childForFieldName('declaration');
      if (inner) return declarationOf(inner, grammar, moduleLevel);
      const value = node.childForFieldName('value');
      if (value?.type === 'object' && holdsFunctions(value)) return { kind: 'unit', name: 'default', body: value, memberPrefix: '' };
      const fn = functionIn(value ?? undefined);
      if (fn) return { kind: 'unit', name: fn.childForFieldName('name')?.text ?? 'default', body: fn };
      return undefined;
    }
    case 'lexical_declaration':
    case 'variable_declaration': {
      const declarator = node.namedChildren.find((c) => c?.type === 'variable_declarator');
      const name = declarator?.childForFieldName('name');
      const value = unwrap(declarator?.childForFieldName('value') ?? undefined);
      if (!name || !value) return undefined;
      const fn = functionIn(value);
      if (fn) return { kind: 'unit', name: name.text, body: fn };
      if (value.type === 'object' && holdsFunctions(value)) return { kind: 'unit', name: name.text, body: value };
      if (moduleLevel && isNamedValue(value) && name.type === 'identifier') return { kind: 'unit', name: name.text, body: value };
      return undefined;
    }
    case 'pair': {
      // `clamp: function (x, lo, hi) {…}` in an object literal that is a unit's body.
      const key = node.childForFieldName('key');
      const value = node.childForFieldName('value');
      if (!key || !value) return undefined;
      const name = key.text.replace(/^['"]|['"]$/g, '');
      if (isFunctionLike(value) || wrapsFunction(value)) return { kind: 'unit', name, body: value };
      if (value.type === 'object' && holdsFunctions(value)) return { kind: 'unit', name, body: value };
      return undefined;
    }
    case 'field_definition':
    case 'public_field_definition': {
      // `handleClick = () => {…}` in a class body.
      const name = node.childForFieldName('property') ?? node.childForFieldName('name');
      const value = node.childForFieldName('value');
      return name && value && (isFunctionLike(value) || wrapsFunction(value)) ? { kind: 'unit', name: name.text, body: value } : undefined;
    }
    case 'expression_statement': {
      const expression = unwrap(node.namedChildren[0] ?? undefined);
      if (!expression) return undefined;
      if (expression.type === 'assignment_expression') return assignmentDeclaration(expression, moduleLevel);
      if (expression.type === 'call_expression') return callDeclaration(expression);
      return undefined;
    }
    default:
      return undefined;
  }
}

/** `exports.parse = function …`, `Queue.prototype.push = …`, `module.exports = { … }`, `this.size = …`. */
function assignmentDeclaration(assignment: SyntaxNode, moduleLevel: boolean): Found | undefined {
  const left = assignment.childForFieldName('left');
  let right = unwrap(assignment.childForFieldName('right') ?? undefined);
  // `exports = module.exports = function …`: the value is at the end of the chain.
  while (right?.type === 'assignment_expression') right = unwrap(right.childForFieldName('right') ?? undefined);
  if (!left || !right) return undefined;
  const target = assignedName(left);
  if (!target) return undefined;
  const fn = functionIn(right);
  if (fn) {
    // `module.exports = function createApplication() {…}`: the module is the function, called by its own name.
    const own = fn.childForFieldName('name')?.text;
    const name = target.name === '' ? (own ?? 'module.exports') : target.name;
    return { kind: 'unit', name, absolute: target.absolute, body: fn };
  }
  if (right.type === 'object' && holdsFunctions(right)) {
    // `module.exports = {…}`: its properties are the module's names; `Foo.prototype = {…}`: Foo's methods.
    if (target.name === '') return { kind: 'unit', name: 'module.exports', absolute: true, body: right, memberPrefix: '' };
    return { kind: 'unit', name: target.name, absolute: target.absolute, body: right };
  }
  if (moduleLevel && isNamedValue(right)) return { kind: 'unit', name: target.name || 'module.exports', absolute: target.absolute || target.name === '', body: right };
  return undefined;
}

/**
 * The name an assignment gives: `exports.x` and `module.exports.x` → `x` (absolute), `module.exports`
 * → '' (the module itself), `Foo.prototype.x` → `Foo.x`, `Foo.prototype` → `Foo`, `this.x` → `x`
 * (under the enclosing unit), `a.b.c` → `a.b.c`.
 */
function assignedName(left: SyntaxNode): { name: string; absolute: boolean } | undefined {
  if (left.type === 'identifier') return { name: left.text, absolute: false };
  if (left.type !== 'member_expression' && left.type !== 'subscript_expression') return undefined;
  const path = memberPath(left);
  if (!path) return undefined;
  if (path[0] === 'this') return path.length === 2 ? { name: path[1], absolute: false } : undefined;
  let parts = path;
  // The module's exports and a class's prototype name their owner wherever they are written; any
  // other owner (`socket.onopen = …` in a method) is named under the enclosing unit.
  let absolute = parts.includes('prototype');
  if (parts[0] === 'module' && parts[1] === 'exports') {
    parts = parts.slice(2);
    absolute = true;
  } else if (parts[0] === 'exports') {
    parts = parts.slice(1);
    absolute = true;
  } else if (parts[0] === 'window' || parts[0] === 'globalThis') parts = parts.slice(1);
  parts = parts.filter((part) => part !== 'prototype');
  return { name: parts.join('.'), absolute };
}

/** `a.b['c'].d` → ['a', 'b', 'c', 'd']; undefined for calls and other computed parts. */
function memberPath(node: SyntaxNode): string[] | undefined {
  if (node.type === 'identifier' || node.type === 'this') return [node.text];
  if (node.type === 'member_expression') {
    const object = node.childForFieldName('object');
    const property = node.childForFieldName('property');
    const head = object ? memberPath(object) : undefined;
    return head && property ? [...head, property.text] : undefined;
  }
  if (node.type === 'subscript_expression') {
    const object = node.childForFieldName('object');
    const index = node.childForFieldName('index');
    const head = object ? memberPath(object) : undefined;
    if (!head || !index) return undefined;
    return [...head, index.type === 'string' ? index.text.slice(1, -1) : `[${index.text}]`];
  }
  return undefined;
}

/**
 * `Object.defineProperty(o, 'x', { get: function … })` is a declaration of `o.x`; any other call at
 * statement level (an IIFE, AMD `define([...], function …)`, UMD's factory, `$(function …)`) holds
 * its functions' declarations as if they were written where the call is.
 */
function callDeclaration(call: SyntaxNode): Found | undefined {
  const callee = call.childForFieldName('function');
  const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is SyntaxNode => a !== null);
  if (callee && /^(Object|Reflect)\.defineProperty$/.test(callee.text) && args.length >= 3) {
    const [owner, key, descriptor] = args;
    const ownerPath = memberPath(owner);
    if (ownerPath && /^string$|template_string/.test(key.type) && descriptor.type === 'object' && holdsFunctions(descriptor)) {
      const owned = ownerPath.length === 1 && ownerPath[0] === 'this' ? { name: '', absolute: false } : (assignedName(owner) ?? { name: ownerPath.join('.'), absolute: false });
      const prop = key.text.slice(1, -1);
      const name = owned.name ? `${owned.name}.${prop}` : prop;
      return { kind: 'unit', name, absolute: owned.absolute, body: descriptor };
    }
  }
  // `jQuery.extend({ ready: function … })`, `Object.assign(Foo.prototype, { … })`: the object's
  // functions are members of the target; in any other call they are named as they stand.
  const api = args.find((arg) => arg.type === 'object' && holdsFunctions(arg));
  if (api && callee) {
    const extended = /^(?:Object\.assign|[\w$.]+\.(?:extend|mixin|assign))$/.test(callee.text);
    const targetNode = callee.text === 'Object.assign' ? args[0] : callee.childForFieldName('object');
    const target = extended && targetNode ? assignedName(targetNode) : undefined;
    if (target?.name) return { kind: 'unit', name: target.name, absolute: target.absolute, body: api };
    return { kind: 'transparent', bodies: [api] };
  }
  // `defineGetter(req, 'hostname', function hostname() {…})`, `app.get('/', function home(req, res) {…})`.
  const named = args.filter((arg) => isFunctionLike(arg) && arg.childForFieldName('name'));
  if (named.length === 1) return { kind: 'unit', name: named[0].childForFieldName('name')!.text, body: named[0] };
  const bodies: SyntaxNode[] = [];
  const calleeFunction = callee ? unwrap(callee) : undefined;
  if (calleeFunction && isFunctionLike(calleeFunction)) bodies.push(calleeFunction);
  // `(function () {…}).call(this)`
  if (calleeFunction?.type === 'member_expression') {
    const object = unwrap(calleeFunction.childForFieldName('object') ?? undefined);
    if (object && isFunctionLike(object)) bodies.push(object);
  }
  for (const arg of args) if (isFunctionLike(arg)) bodies.push(arg);
  return bodies.length > 0 ? { kind: 'transparent', bodies } : undefined;
}

/** The function a value holds at its top: `supported && function adapter() {…}`, `a ? function … : …`. */
function functionIn(node: SyntaxNode | undefined): SyntaxNode | undefined {
  const value = unwrap(node);
  if (!value) return undefined;
  if (isFunctionLike(value) || wrapsFunction(value)) return value;
  if (value.type === 'binary_expression' || value.type === 'ternary_expression') {
    for (const part of value.namedChildren) {
      const inner = functionIn(part ?? undefined);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** A value written over several lines that a reader names after its variable (`const STATUS = {…}`), at module level. */
function isNamedValue(node: SyntaxNode): boolean {
  return /^(object|array|new_expression|call_expression)$/.test(node.type) && node.endPosition.row - node.startPosition.row >= 2;
}

/** Through `( … )`, `!…`, `void …` and `a, b` to the expression inside. */
function unwrap(node: SyntaxNode | undefined): SyntaxNode | undefined {
  let current = node;
  while (current && (current.type === 'parenthesized_expression' || current.type === 'unary_expression' || current.type === 'sequence_expression')) {
    const inner: SyntaxNode | null | undefined =
      current.type === 'unary_expression' ? current.childForFieldName('argument') : current.namedChildren[current.namedChildren.length - 1];
    if (!inner) return current;
    current = inner;
  }
  return current;
}

/** An object literal with at least one function among its values (an API object, not data). */
function holdsFunctions(object: SyntaxNode): boolean {
  return object.namedChildren.some((member) => {
    if (!member) return false;
    if (member.type === 'method_definition') return true;
    if (member.type !== 'pair') return false;
    const value = member.childForFieldName('value');
    return Boolean(value && (isFunctionLike(value) || wrapsFunction(value) || (value.type === 'object' && holdsFunctions(value))));
  });
}

function isFunctionLike(node: SyntaxNode): boolean {
  return /function|arrow_function|^class$/.test(node.type);
}

/** `memo(function Card() {…})`, `_curry2(function and(a, b) {…})`, `asyncHandler(async (req) => {…})`. */
function wrapsFunction(node: SyntaxNode): boolean {
  if (node.type !== 'call_expression') return false;
  const args = node.childForFieldName('arguments');
  return Boolean(args?.namedChildren.some((arg) => arg && isFunctionLike(arg)));
}

// ---------------------------------------------------------------------------------------------
// Names and doc comments, all grammars

/** Expressions and strings hold no declarations worth cutting at. */
function isLeafLike(node: SyntaxNode): boolean {
  return /string|comment|expression|literal|arguments|call/.test(node.type);
}

function nameOf(node: SyntaxNode): string | undefined {
  if (node.type === 'decorated_definition') {
    const inner = node.childForFieldName('definition');
    return inner ? nameOf(inner) : undefined;
  }
  if (node.type === 'type_declaration') {
    return node.namedChildren.find((c) => c?.type === 'type_spec')?.childForFieldName('name')?.text;
  }
  if (node.type === 'impl_item') {
    return node.childForFieldName('type')?.text;
  }
  const name = node.childForFieldName('name') ?? node.childForFieldName('declarator');
  if (!name) return undefined;
  // C/C++ declarators nest: `char *baz(void)` → pointer_declarator → function_declarator → `baz`.
  let inner = name;
  for (let next = inner.childForFieldName('declarator'); next; next = inner.childForFieldName('declarator')) inner = next;
  return inner.text.split('\n')[0].replace(/\s+/g, '').slice(0, 80);
}

/**
 * Doc comments right above a declaration belong to it, and so do the attributes between them (Rust's
 * `#[derive]`): 0-based row of the first. A blank line ends a run of line comments, as it does for
 * godoc: a separator rule, a TODO or a section note above it is not the declaration's, and taking it
 * made results start there (bench/CHUNKS.md). Only a documentation comment (`/** … *\/`, `///`), which
 * says by its form that it documents what follows, may stand one blank line above it (express writes
 * its JSDoc so).
 */
function leadingCommentStart(node: SyntaxNode): number {
  let start = node.startPosition.row;
  let previous = node.previousNamedSibling;
  let first = true;
  while (previous && (/comment$/.test(previous.type) || previous.type === 'attribute_item')) {
    const adjacent = previous.endPosition.row >= start - 1;
    if (!adjacent && !(first && previous.endPosition.row === start - 2 && /^(\/\*\*[^/]|\/\/\/[^/])/.test(previous.text))) break;
    start = previous.startPosition.row;
    previous = previous.previousNamedSibling;
    first = false;
  }
  return start;
}
