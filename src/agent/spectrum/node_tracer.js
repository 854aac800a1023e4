'use strict';
// cria's test spectrum for node's own test runner (`node --test`): which lines of the project
// each test runs. The suite is listed once (TAP), then each test runs alone under V8's block
// coverage (NODE_V8_COVERAGE); a line ran when the innermost coverage range around its first
// character counted at least once. The report is one marked line, in the pytest plugin's shape:
// every line a failing test ran, with how many failing and passing tests ran it.
//
// Usage: node node_tracer.js DEADLINE_MS [ARG...]   (ARG: what follows `node` in the test script)

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { fileURLToPath } = require('node:url');

const MAX_TESTS = 60;
const root = fs.realpathSync(process.cwd()) + path.sep;
const deadline = Date.now() + Number(process.argv[2] || 60000);
const testArgs = process.argv.slice(3);

function node(args, env) {
  const left = Math.max(deadline - Date.now(), 1000);
  return spawnSync(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: left,
  });
}

// The tests that have no subtests, each with whether it failed; TAP names unescaped.
function leaves(tap) {
  const out = [];
  let previous = -1;
  for (const line of tap.split('\n')) {
    const m = /^(\s*)(not )?ok \d+ - (.*?)(?:\s+# (SKIP|TODO)\b.*)?$/.exec(line);
    if (!m) continue;
    const indent = m[1].length;
    const parent = previous > indent;
    previous = indent;
    const name = m[3].replace(/\\#/g, '#').replace(/\\\\/g, '\\');
    if (parent || m[4] || /\.[cm]?[jt]s$/.test(name)) continue;
    out.push({ name, failed: Boolean(m[2]) });
  }
  return out;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const sources = new Map();

// A project file's lines: the offset of each one's first character, or -1 for a line that holds
// no statement (blank, a comment, closing brackets).
function codeLines(file) {
  if (!sources.has(file)) {
    let lines = null;
    try {
      const text = fs.readFileSync(file, 'utf8');
      lines = [];
      let start = 0;
      for (const line of text.split('\n')) {
        const lead = line.length - line.trimStart().length;
        const rest = line.trim();
        const code = rest !== '' && !rest.startsWith('//') && !/^[\]})]+[;,)]*$/.test(rest);
        lines.push(code ? start + lead : -1);
        start += line.length + 1;
      }
    } catch {
      lines = null;
    }
    sources.set(file, lines);
  }
  return sources.get(file);
}

// Every (path, function, line) one coverage folder shows as run.
function ranLines(dir) {
  const seen = new Set();
  let files = [];
  try {
    files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return seen;
  }
  for (const f of files) {
    let result = [];
    try {
      result = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).result || [];
    } catch {
      continue;
    }
    for (const script of result) {
      if (!script.url || !script.url.startsWith('file:')) continue;
      const file = fileURLToPath(script.url);
      if (!file.startsWith(root) || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
      const lines = codeLines(file);
      if (!lines) continue;
      const rel = file.slice(root.length).split(path.sep).join('/');
      const ranges = [];
      const named = [];
      for (const fn of script.functions) {
        for (const r of fn.ranges) ranges.push(r);
        // `exports.parse = function` is named `exports.parse`; an accessor `get size`.
        const name = fn.functionName.replace(/^[gs]et /, '').split('.').pop();
        if (name && fn.ranges.length > 0) named.push([fn.ranges[0], name]);
      }
      const innermost = (items, at, key) => {
        let best = null;
        for (const item of items) {
          const r = key(item);
          if (r.startOffset <= at && at < r.endOffset) {
            if (!best || r.startOffset > key(best).startOffset
              || (r.startOffset === key(best).startOffset && r.endOffset < key(best).endOffset)) {
              best = item;
            }
          }
        }
        return best;
      };
      lines.forEach((at, i) => {
        if (at < 0) return;
        const range = innermost(ranges, at, (r) => r);
        if (!range || range.count === 0) return;
        const fn = innermost(named, at, (n) => n[0]);
        seen.add(JSON.stringify([rel, fn ? fn[1] : '<module>', i + 1]));
      });
    }
  }
  return seen;
}

const listed = node(['--test-reporter=tap', ...testArgs]);
const tests = leaves(`${listed.stdout || ''}`);
const chosen = [...tests.filter((t) => t.failed), ...tests.filter((t) => !t.failed)].slice(0, MAX_TESTS);
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cria-coverage-'));
const counts = new Map();
let allFailed = 0;
chosen.forEach((test, i) => {
  if (Date.now() >= deadline) return;
  const dir = path.join(scratch, String(i));
  const pattern = `(?:^|\\s)${escapeRegExp(test.name)}$`;
  node([`--test-name-pattern=${pattern}`, ...testArgs], { NODE_V8_COVERAGE: dir });
  const seen = ranLines(dir);
  if (seen.size === 0) return;
  allFailed += test.failed ? 1 : 0;
  for (const key of seen) {
    const c = counts.get(key) || [0, 0];
    c[test.failed ? 0 : 1] += 1;
    counts.set(key, c);
  }
});
fs.rmSync(scratch, { recursive: true, force: true });
const lines = [...counts]
  .filter(([, c]) => c[0] > 0)
  .map(([key, c]) => [...JSON.parse(key), c[0], c[1]])
  .sort();
process.stdout.write(`@@CRIA-SPECTRUM@@${JSON.stringify({ failed: allFailed, lines })}\n`);
