/**
 * The search panel's webview: a query box with optional filters, the index state, and results grouped
 * by file. It talks to the extension only through the messages of protocol.ts.
 *
 * Text from users' files (snippets, paths) reaches the DOM through textContent / text nodes only, never
 * as HTML: a file can show `<script>` but never run it. The page's CSP forbids inline script anyway.
 *
 * The webview keeps only the user's intent in vscode.setState; results are asked for again after
 * "ready", because the document is thrown away whenever the view is hidden.
 */
import type { ExtensionToWebview, IndexState, PanelCommand, PanelFileGroup, PanelResult, WebviewToExtension } from '../shared/panel-protocol';
import { hasFilters, sameIntent, type SearchIntent } from '../shared/search-intent';
import {
  describeDeepTier,
  describeFilters,
  describeIndexing,
  describePaused,
  fileIcon,
  formatLocation,
  formatNumber,
  formatScore,
  highlight,
  MODE_LABELS,
  plural,
  progressRatio,
  queryTerms,
  shortFormsOf,
  restoreViewState,
  snippetLines,
  splitPath,
  summarizeResults,
  type PanelViewState,
} from './format';
import { hybridScoreMeaning } from '../core/search/rank';

interface VsCodeApi {
  postMessage(message: WebviewToExtension): void;
  getState(): unknown;
  setState(state: PanelViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

type Results = Extract<ExtensionToWebview, { type: 'results' }>;

const DEBOUNCE_MS = 250;
/** Phases in which a search can run (while indexing, on what is indexed so far). */
const SEARCHABLE = new Set<IndexState['phase']>(['indexing', 'paused', 'ready', 'error']);

const vscode = acquireVsCodeApi();
const saved = restoreViewState(vscode.getState());

let filtersShown = saved.filtersShown;
let index: IndexState | undefined;
/** The last search sent, and its id: results for any other id are stale and dropped. */
let requestId = 0;
let sent: SearchIntent | undefined;
let searching = false;
let results: Results | undefined;
let debounce: ReturnType<typeof setTimeout> | undefined;
/** Files the user folded, by URI: kept across new results of the same search. */
const collapsed = new Set<string>();

// ---- DOM helpers ---------------------------------------------------------------------------------

type Child = Node | string | undefined | false;

/** Creates an element; string children become text nodes, so they can never be parsed as markup. */
function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === 'class') el.className = value;
    else el.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

function icon(name: string, extra = ''): HTMLElement {
  return h('span', { class: `codicon codicon-${name}${extra ? ` ${extra}` : ''}`, 'aria-hidden': 'true' });
}

function post(message: WebviewToExtension): void {
  vscode.postMessage(message);
}

function commandButton(label: string, command: PanelCommand, style: 'primary' | 'secondary' | 'link'): HTMLButtonElement {
  const button = h('button', { class: `button ${style}`, type: 'button' }, label);
  button.addEventListener('click', () => post({ type: 'command', command }));
  return button;
}

// ---- Static layout -------------------------------------------------------------------------------

function textInput(id: string, placeholder: string, label: string, value: string): HTMLInputElement {
  const input = h('input', { id, type: 'text', placeholder, 'aria-label': label, spellcheck: 'false', autocomplete: 'off' });
  input.value = value;
  return input;
}

const queryInput = textInput('query', 'Search by meaning', 'Search by meaning', saved.intent.query);
const includeInput = textInput('include', 'e.g. src/**, docs/*.md', 'Files to include', saved.intent.include);
const excludeInput = textInput('exclude', 'e.g. **/test/**, *.min.js', 'Files to exclude', saved.intent.exclude);
const typesInput = textInput('types', 'e.g. ts, md, pdf', 'File types', saved.intent.types);

const modeSelect = h('select', { id: 'mode', 'aria-label': 'Ranking' });
for (const [value, label] of Object.entries(MODE_LABELS)) modeSelect.append(h('option', { value }, label));
modeSelect.value = saved.intent.mode ?? '';

const filterToggle = h('button', { class: 'icon-button toggle', type: 'button', title: 'Toggle Filters', 'aria-label': 'Toggle Filters', 'aria-controls': 'filters' }, icon('filter'));

const field = (label: string, input: HTMLInputElement | HTMLSelectElement): HTMLElement =>
  h('div', { class: 'field' }, h('label', { for: input.id }, label), h('div', { class: 'input-box' }, input));

const filters = h('div', { id: 'filters', class: 'filters' }, field('files to include', includeInput), field('files to exclude', excludeInput), field('file types', typesInput), field('ranking', modeSelect));
const filterSummary = h('div', { class: 'filter-summary' });
const searchBar = h('div', { class: 'progress-bar search-progress', 'aria-hidden': 'true' }, h('div', { class: 'progress-bit' }));
const status = h('div', { class: 'status' });
const main = h('div', { class: 'main' });

document.body.append(
  searchBar,
  h('div', { class: 'header' }, h('div', { class: 'input-box query-box' }, queryInput, filterToggle), filters, filterSummary),
  status,
  main,
);

// ---- Intent, state and searching -----------------------------------------------------------------

function intent(): SearchIntent {
  return { query: queryInput.value, include: includeInput.value, exclude: excludeInput.value, types: typesInput.value, mode: modeSelect.value as SearchIntent['mode'] };
}

function saveState(): void {
  vscode.setState({ intent: intent(), filtersShown });
}

function canSearch(): boolean {
  return index === undefined || SEARCHABLE.has(index.phase);
}

/** Sends the current intent; `force` runs it even when unchanged (Enter, setQuery, index finished). */
function search(force: boolean): void {
  clearTimeout(debounce);
  debounce = undefined;
  const wanted = intent();
  if (!force && sent !== undefined && sameIntent(wanted, sent)) return;
  if (wanted.query.trim() === '' || !canSearch()) {
    // Nothing to ask: forget the last answer, and make any search still running stale.
    sent = wanted.query.trim() === '' ? wanted : undefined;
    requestId++;
    searching = false;
    results = undefined;
    renderBusy();
    renderMain();
    return;
  }
  sent = wanted;
  requestId++;
  searching = true;
  renderBusy();
  post({ type: 'search', requestId, intent: { ...wanted, query: wanted.query.trim() } });
  // Older results stay until the new ones come (no flicker); a hint or a message goes at once.
  if (!results || results.error !== undefined || results.groups.length === 0) {
    results = undefined;
    renderMain();
  }
}

function scheduleSearch(): void {
  clearTimeout(debounce);
  debounce = setTimeout(() => search(false), DEBOUNCE_MS);
}

function onResults(message: Results): void {
  if (message.requestId !== requestId) return;
  searching = false;
  if (results?.query !== message.query) collapsed.clear();
  results = message;
  renderBusy();
  renderMain();
}

function onState(state: IndexState): void {
  const wasSearchable = canSearch();
  const finished = index?.phase === 'indexing' && state.phase === 'ready';
  index = state;
  renderStatus();
  // Progress arrives every second or so: rebuild the results only when what they show changed, or
  // a click in progress and the scroll position would be lost.
  if (mainKey() !== shownKey) renderMain();
  // The index just became usable, or complete: what the user asked for deserves a fresh answer.
  if (queryInput.value.trim() !== '' && canSearch() && (!wasSearchable || finished)) search(true);
}

function setFiltersShown(shown: boolean): void {
  filtersShown = shown;
  renderFilters();
  saveState();
}

function clearSearch(): void {
  queryInput.value = '';
  saveState();
  search(true);
  queryInput.focus();
}

function clearFilters(): void {
  includeInput.value = excludeInput.value = typesInput.value = modeSelect.value = '';
  saveState();
  renderFilters();
  search(true);
}

// ---- Rendering: header, status -------------------------------------------------------------------

function renderFilters(): void {
  const active = hasFilters(intent());
  filters.hidden = !filtersShown;
  filterToggle.setAttribute('aria-expanded', String(filtersShown));
  filterToggle.classList.toggle('checked', filtersShown || active);
  filterToggle.title = filtersShown ? 'Hide Filters' : active ? `Show Filters (active: ${describeFilters(intent())})` : 'Show Filters';
  // Hidden filters still apply: say so, or results would seem to be missing.
  filterSummary.hidden = filtersShown || !active;
  filterSummary.replaceChildren(icon('filter'), h('span', { class: 'ellipsis' }, describeFilters(intent())));
  filterSummary.title = describeFilters(intent());
}

/** The thin bar at the top of the view while a search runs (shown after a short delay, in CSS). */
function renderBusy(): void {
  searchBar.classList.toggle('active', searching);
}

function progressBar(ratio: number | undefined, label: string): HTMLElement {
  const bar = h('div', { class: 'progress-bar', role: 'progressbar', 'aria-label': label, 'aria-valuemin': '0', 'aria-valuemax': '100' }, h('div', { class: 'progress-bit' }));
  if (ratio === undefined) {
    bar.classList.add('infinite');
  } else {
    bar.setAttribute('aria-valuenow', String(Math.round(ratio * 100)));
    // CSSOM, not a style attribute: allowed by the CSP, which has no 'unsafe-inline'.
    (bar.firstChild as HTMLElement).style.width = `${(ratio * 100).toFixed(1)}%`;
  }
  return bar;
}

let statusKey = '';

function renderStatus(): void {
  const state = index;
  status.title = state?.phase === 'indexing' ? (state.progress?.currentFile ?? '') : '';
  if (state?.phase === 'indexing') {
    const text = describeIndexing(state.progress);
    const ratio = progressRatio(state.progress);
    const line = status.querySelector('.status-line .ellipsis');
    const bit = status.querySelector<HTMLElement>('.progress-bar:not(.infinite) .progress-bit');
    if (status.classList.contains('indexing') && line && bit && ratio !== undefined) {
      // Update in place, so the bar glides from one value to the next.
      line.textContent = text;
      bit.style.width = `${(ratio * 100).toFixed(1)}%`;
      bit.parentElement?.setAttribute('aria-valuenow', String(Math.round(ratio * 100)));
      return;
    }
  }
  // Paused and error lines change rarely: keep their buttons in place unless the words change.
  const deep = state?.phase === 'ready' ? describeDeepTier(state.tiers) : undefined;
  const key = state ? `${state.phase}:${state.phase === 'paused' ? describePaused(state.progress) : (state.message ?? '')}:${deep ?? ''}` : '';
  if (state?.phase !== 'indexing' && key === statusKey) return;
  statusKey = key;
  status.replaceChildren();
  status.className = 'status';
  if (!state) return;
  if (state.phase === 'indexing') {
    status.classList.add('indexing');
    status.append(h('div', { class: 'status-line' }, h('span', { class: 'ellipsis' }, describeIndexing(state.progress))), progressBar(progressRatio(state.progress), 'Indexing'));
  } else if (state.phase === 'paused') {
    status.classList.add('paused');
    status.append(
      h('div', { class: 'status-line' }, icon('debug-pause'), h('span', { class: 'ellipsis' }, describePaused(state.progress)), commandButton('Resume', 'quipu.resumeIndexing', 'link')),
    );
  } else if (deep) {
    // The deep tier fills in behind the fast one: a quiet line, no progress bar (nothing to wait for).
    status.append(
      h(
        'div',
        { class: 'status-line', title: "Results are ranked meanwhile; chunks without the transformer's vectors are ranked by their fast ones." },
        icon('layers'),
        h('span', { class: 'ellipsis' }, deep),
      ),
    );
  } else if (state.phase === 'error') {
    status.classList.add('error');
    status.append(
      h(
        'div',
        { class: 'status-line wrap' },
        icon('error'),
        h('span', { class: 'message' }, state.message ?? 'Indexing failed.', ' ', commandButton('Show Status', 'quipu.showStatus', 'link')),
      ),
    );
  }
}

// ---- Rendering: main area ------------------------------------------------------------------------

function welcome(...content: Child[]): HTMLElement {
  return h('div', { class: 'welcome' }, ...content);
}

/** What the main area shows, as a key: it is rebuilt when this changes, or when results arrive. */
function mainKey(): string {
  const state = index;
  if (state && !SEARCHABLE.has(state.phase)) return `${state.phase}:${state.message ?? ''}`;
  if (queryInput.value.trim() === '') return `hint:${state?.files ?? ''}:${state?.chunks ?? ''}`;
  return 'results';
}
let shownKey = '';

function renderMain(): void {
  const state = index;
  shownKey = mainKey();
  const focusedKey = main.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.key : undefined;
  rows = [];
  if (state?.phase === 'no-folder') {
    main.replaceChildren(welcome(h('p', {}, state.message ?? 'Open a folder to search it. Quipu searches the files of your workspace by meaning, on this machine.')));
  } else if (state?.phase === 'untrusted') {
    main.replaceChildren(
      welcome(
        h('p', {}, 'Quipu indexes trusted workspaces only. Trust this workspace to index and search its files.'),
        commandButton('Manage Workspace Trust', 'workbench.trust.manage', 'primary'),
      ),
    );
  } else if (state?.phase === 'not-indexed') {
    main.replaceChildren(
      welcome(
        h('p', {}, state.message ?? 'This workspace is not indexed yet. Index it once to search it by meaning; Quipu then keeps the index up to date.'),
        commandButton('Index Workspace', 'quipu.indexWorkspace', 'primary'),
      ),
    );
  } else if (queryInput.value.trim() === '') {
    main.replaceChildren(state ? hint(state) : '');
  } else if (!results) {
    main.replaceChildren(); // the search bar shows that an answer is coming
  } else if (results.error !== undefined) {
    main.replaceChildren(
      h(
        'div',
        { class: 'message-block error', role: 'alert' },
        icon('error'),
        h('p', {}, results.error, ' ', commandButton('Show Status', 'quipu.showStatus', 'link')),
      ),
    );
  } else if (results.groups.length === 0) {
    main.replaceChildren(noResults(results.query));
  } else {
    main.replaceChildren(summary(results), tree(results));
    const again = focusedKey !== undefined ? rows.findIndex((r) => r.el.dataset.key === focusedKey) : -1;
    if (again >= 0) focusRow(again);
  }
}

function hint(state: IndexState): HTMLElement {
  const indexed = state.files > 0 ? `${plural(state.files, 'file')} and ${plural(state.chunks, 'passage')} indexed.` : '';
  return h(
    'div',
    { class: 'message-block hint' },
    h('p', {}, 'Describe what you are looking for in your own words, like “where are passwords hashed”. Quipu finds passages by meaning, even without the same keywords.'),
    indexed && h('p', { class: 'dim' }, indexed),
  );
}

function noResults(query: string): HTMLElement {
  const filtered = hasFilters(intent());
  const clear = h('button', { class: 'button link', type: 'button' }, 'clear filters');
  clear.addEventListener('click', clearFilters);
  return h(
    'div',
    { class: 'message-block', role: 'status' },
    h('p', {}, `No results for “${query}”.`),
    h('p', { class: 'dim' }, filtered ? 'Try other words, or ' : 'Try other words.', filtered && clear, filtered && '.'),
  );
}

function summary(res: Results): HTMLElement {
  const allCollapsed = res.groups.every((g) => collapsed.has(g.uri));
  const toggle = h('button', { class: 'icon-button', type: 'button', title: allCollapsed ? 'Expand All' : 'Collapse All', 'aria-label': allCollapsed ? 'Expand All' : 'Collapse All' }, icon(allCollapsed ? 'expand-all' : 'collapse-all'));
  toggle.addEventListener('click', () => {
    for (const g of res.groups) {
      if (allCollapsed) collapsed.delete(g.uri);
      else collapsed.add(g.uri);
    }
    renderMain();
  });
  const clear = h('button', { class: 'icon-button', type: 'button', title: 'Clear Search', 'aria-label': 'Clear Search' }, icon('clear-all'));
  clear.addEventListener('click', clearSearch);
  return h('div', { class: 'summary' }, h('span', { class: 'ellipsis', role: 'status' }, summarizeResults(res.groups, res.elapsedMs)), h('span', { class: 'actions' }, toggle, clear));
}

// ---- The results tree ----------------------------------------------------------------------------

/** The tree is flat rows with aria-level, like VS Code's own lists: simple focus and styling. */
interface Row {
  el: HTMLElement;
  group: PanelFileGroup;
  result?: PanelResult;
}

let rows: Row[] = [];
/** The row that takes Tab (roving tabindex). */
let active = 0;

function tree(res: Results): HTMLElement {
  const container = h('div', { class: 'tree', role: 'tree', 'aria-label': `Results for ${res.query}` });
  const terms = queryTerms(res.query);
  const shortForms = shortFormsOf(res.query);
  // The folder name only helps when the results span several workspace folders.
  const manyFolders = new Set(res.groups.map((g) => g.folderName)).size > 1;
  res.groups.forEach((group, gi) => {
    const open = !collapsed.has(group.uri);
    const { name, folder } = splitPath(group.path);
    const where = manyFolders ? (folder ? `${group.folderName} • ${folder}` : group.folderName) : folder;
    const fileRow = h(
      'div',
      {
        class: 'row file',
        role: 'treeitem',
        tabindex: '-1',
        'aria-level': '1',
        'aria-setsize': String(res.groups.length),
        'aria-posinset': String(gi + 1),
        'aria-expanded': String(open),
        'aria-label': `${group.path}, ${plural(group.results.length, 'result')}`,
        title: manyFolders ? `${group.folderName}: ${group.path}` : group.path,
        'data-key': group.uri,
      },
      icon(open ? 'chevron-down' : 'chevron-right', 'twistie'),
      icon(fileIcon(group.kind, group.path), 'file-icon'),
      h('span', { class: 'label ellipsis' }, h('span', { class: 'name' }, name), where && h('span', { class: 'folder' }, where)),
      h('span', { class: 'badge' }, formatNumber(group.results.length)),
    );
    container.append(fileRow);
    rows.push({ el: fileRow, group });
    group.results.forEach((result, ri) => {
      const el = hitRow(group, result, terms, shortForms, ri, group.results.length);
      el.hidden = !open;
      container.append(el);
      rows.push({ el, group, result });
    });
  });
  active = 0;
  rows[0]?.el.setAttribute('tabindex', '0');
  container.addEventListener('click', onTreeClick);
  container.addEventListener('keydown', onTreeKey);
  container.addEventListener('focusin', (event) => {
    const i = rowIndexOf(event.target);
    if (i >= 0) setActive(i);
  });
  return container;
}

function hitRow(group: PanelFileGroup, result: PanelResult, terms: string[], shortForms: ReadonlySet<string>, ri: number, count: number): HTMLElement {
  const location = formatLocation(result);
  // The lines that matched the query, numbered as in the file.
  const lines = snippetLines(result.snippet, result.snippetStartLine);
  const code = h('div', { class: 'snippet' });
  for (const { line, text } of lines) {
    const lineEl = h('div', { class: 'line' }, h('span', { class: 'line-number', 'aria-hidden': 'true' }, String(line)));
    for (const segment of highlight(text, terms, shortForms)) lineEl.append(segment.mark ? h('mark', {}, segment.text) : document.createTextNode(segment.text));
    code.append(lineEl);
  }
  return h(
    'div',
    {
      class: 'row hit',
      role: 'treeitem',
      tabindex: '-1',
      'aria-level': '2',
      'aria-setsize': String(count),
      'aria-posinset': String(ri + 1),
      'aria-label': `${location}, score ${formatScore(result.score)}: ${lines.map((l) => l.text).join(' ').slice(0, 200)}`,
      title: `Open ${splitPath(group.path).name}, ${location}`,
      'data-key': `${group.uri}#${result.startLine}-${result.endLine}`,
    },
    h(
      'div',
      { class: 'hit-head' },
      h('span', { class: 'location' }, location),
      result.symbol !== undefined && h('span', { class: 'symbol ellipsis' }, result.symbol),
      h('span', { class: 'score', title: scoreTitle(results?.mode) }, formatScore(result.score)),
    ),
    lines.length > 0 && code,
  );
}

/** What the score means in the ranking shown (a wrong label is a bug). */
function scoreTitle(mode: Results['mode']): string {
  switch (mode) {
    case 'vector':
      return 'Similarity to the query by meaning (cosine of the embeddings, −1 to 1)';
    case 'lexical':
      return 'Keyword score (BM25 over all folders\' indexes; compares within this search only)';
    case 'hybrid':
      return `Meaning and words: ${hybridScoreMeaning(results?.query)}`;
    default:
      return 'Score: higher is a better match (compares within this search only)';
  }
}

function rowIndexOf(target: EventTarget | null): number {
  const el = target instanceof Element ? target.closest('.row') : null;
  return el ? rows.findIndex((r) => r.el === el) : -1;
}

function setActive(i: number): void {
  rows[active]?.el.setAttribute('tabindex', '-1');
  rows[active]?.el.classList.remove('selected');
  active = i;
  rows[i].el.setAttribute('tabindex', '0');
  rows[i].el.classList.add('selected');
}

function focusRow(i: number): void {
  setActive(i);
  rows[i].el.focus();
  rows[i].el.scrollIntoView({ block: 'nearest' });
}

function visible(): number[] {
  return rows.flatMap((r, i) => (r.el.hidden ? [] : [i]));
}

function open(row: Row, preview: boolean): void {
  const { result, group } = row;
  if (!result) return;
  post({ type: 'open', uri: group.uri, kind: group.kind, startLine: result.startLine, endLine: result.endLine, ...(result.page !== undefined ? { page: result.page } : {}), preview });
}

function setExpanded(fileIndex: number, open: boolean): void {
  const { group, el } = rows[fileIndex];
  if (open) collapsed.delete(group.uri);
  else collapsed.add(group.uri);
  el.setAttribute('aria-expanded', String(open));
  const twistie = el.querySelector('.twistie');
  twistie?.classList.toggle('codicon-chevron-down', open);
  twistie?.classList.toggle('codicon-chevron-right', !open);
  for (let i = fileIndex + 1; i < rows.length && rows[i].result; i++) rows[i].el.hidden = !open;
  // Keep the expand/collapse-all button in step.
  const summaryToggle = main.querySelector('.summary .actions .icon-button');
  if (summaryToggle && results) {
    const allCollapsed = results.groups.every((g) => collapsed.has(g.uri));
    summaryToggle.replaceChildren(icon(allCollapsed ? 'expand-all' : 'collapse-all'));
    summaryToggle.setAttribute('title', allCollapsed ? 'Expand All' : 'Collapse All');
    summaryToggle.setAttribute('aria-label', allCollapsed ? 'Expand All' : 'Collapse All');
  }
}

function onTreeClick(event: MouseEvent): void {
  const i = rowIndexOf(event.target);
  if (i < 0) return;
  setActive(i);
  const row = rows[i];
  if (row.result) open(row, false);
  else setExpanded(i, row.el.getAttribute('aria-expanded') !== 'true');
}

function onTreeKey(event: KeyboardEvent): void {
  const i = rowIndexOf(event.target);
  if (i < 0) return;
  const row = rows[i];
  const shown = visible();
  const at = shown.indexOf(i);
  const isOpen = row.el.getAttribute('aria-expanded') === 'true';
  const move = (to: number): void => focusRow(shown[Math.max(0, Math.min(shown.length - 1, to))]);
  switch (event.key) {
    case 'ArrowDown':
      move(at + 1);
      break;
    case 'ArrowUp':
      if (at === 0) queryInput.focus();
      else move(at - 1);
      break;
    case 'PageDown':
      move(at + 10);
      break;
    case 'PageUp':
      move(at - 10);
      break;
    case 'Home':
      move(0);
      break;
    case 'End':
      move(shown.length - 1);
      break;
    case 'ArrowRight':
      if (row.result) return;
      if (isOpen) move(at + 1);
      else setExpanded(i, true);
      break;
    case 'ArrowLeft':
      if (row.result) focusRow(rows.findIndex((r) => r.group === row.group && !r.result));
      else if (isOpen) setExpanded(i, false);
      break;
    case 'Enter':
      if (row.result) open(row, false);
      else setExpanded(i, !isOpen);
      break;
    case ' ':
      // Space peeks: the hit opens in a preview editor.
      if (row.result) open(row, true);
      else setExpanded(i, !isOpen);
      break;
    default:
      return;
  }
  event.preventDefault();
}

// ---- Events --------------------------------------------------------------------------------------

queryInput.addEventListener('input', () => {
  saveState();
  if (queryInput.value.trim() === '') search(false);
  else scheduleSearch();
});
for (const input of [includeInput, excludeInput, typesInput, modeSelect]) {
  input.addEventListener(input === modeSelect ? 'change' : 'input', () => {
    saveState();
    renderFilters();
    if (queryInput.value.trim() !== '') scheduleSearch();
  });
}
for (const input of [queryInput, includeInput, excludeInput, typesInput]) {
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      search(true);
    } else if (event.key === 'ArrowDown' && rows.length > 0 && input === queryInput) {
      event.preventDefault();
      focusRow(rows[active]?.el.hidden === false ? active : 0);
    }
  });
}
filterToggle.addEventListener('click', () => {
  setFiltersShown(!filtersShown);
  if (filtersShown) includeInput.focus();
});

window.addEventListener('message', (event: MessageEvent<ExtensionToWebview>) => {
  const message = event.data;
  switch (message.type) {
    case 'state':
      onState(message.state);
      break;
    case 'results':
      onResults(message);
      break;
    case 'setQuery':
      queryInput.value = message.query;
      saveState();
      search(true);
      break;
    case 'focus':
      queryInput.focus();
      queryInput.select();
      break;
  }
});

renderFilters();
renderMain();
post({ type: 'ready' });
// Hidden views lose their document: ask again for what the user had asked for.
if (saved.intent.query.trim() !== '') search(true);
