// Hand-written questions for the docs-prose dataset (scripts/make-eval-datasets.mjs).
// Each answer names a file of the corpus and a passage that answers the question: `text` (and, for a
// longer span, `to`, the first match after `text`) are quoted from the file as Quipu extracts it
// (Markdown as written; PDF and DOCX as the extractor returns them), whitespace-insensitively. The script
// fails when a passage is missing or (for `text`) not unique, so every range was checked against the text.
// Questions are phrased as a user would ask, avoiding the passage's own words where natural.

const HELP = 'pino/docs/help.pdf';
const REDACTION = 'pino/docs/redaction.docx';
const RECOMMENDATIONS = 'fastify/recommendations.pdf';
const POISONING = 'fastify/prototype-poisoning.docx';
const API = 'pino/docs/api.md';
const TRANSPORTS = 'pino/docs/transports.md';

export const PROSE_QUESTIONS = [
  // pino/docs/help.pdf (converted from docs/help.md)
  {
    query: 'rotate the log file every day and keep one week of old logs',
    answers: [
      { path: HELP, text: 'Use a separate tool for log rotation', to: 'copytruncate' },
      { path: TRANSPORTS, text: '`pino-roll` is a Pino transport that automatically rolls your log files', to: "frequency: 'daily', mkdir: true" },
    ],
  },
  {
    query: 'make the logger write to a fresh file after an external tool has moved the old one away',
    answers: [{ path: HELP, text: 'pino.destination can reopen file paths after', to: "process.on('SIGHUP', () => dest.reopen())" }],
  },
  {
    query: 'can lines go missing when the log file is copied and then emptied?',
    answers: [{ path: HELP, text: 'The copytruncate configuration has a very slight possibility of lost log lines', to: 'lines have been written.' }],
  },
  {
    query: 'send errors to stderr and everything else to stdout',
    answers: [
      { path: HELP, text: 'In this example, we use stderr for error level logs and stdout as default', to: 'pino.multistream(streams))' },
      { path: API, text: '`dedupe` flag can be useful for example when using `pino.multistream` to redirect `error` logs', to: "log.fatal('this will be written ONLY to process.stderr')" },
    ],
  },
  {
    query: 'print level names such as "info" in the JSON instead of numbers like 30',
    answers: [{ path: HELP, text: 'However, you can use the formatters option with a level function to print the string name', to: 'Use a prettifier like pino-pretty to make the logs human friendly.' }],
  },
  {
    query: 'route output of the debug package through the fast JSON logger',
    answers: [
      { path: HELP, text: 'The pino-debug module can capture calls to debug loggers', to: 'DEBUG=* node -r pino-debug app.js' },
      { path: 'pino/docs/ecosystem.md', text: '+ [`pino-debug`](https://github.com/pinojs/pino-debug): use Pino to interpret' },
    ],
  },
  {
    query: 'accented characters look garbled in cmd.exe and PowerShell',
    answers: [{ path: HELP, text: 'On Windows, Unicode output is not handled', to: 'This is a known limitation of' }],
  },
  {
    query: 'every entry shows up as INFO in Google Cloud whatever its level',
    answers: [{ path: HELP, text: 'Google Cloud Logging uses severity levels instead of log levels.', to: 'return pino(Object.assign({}, options, defaultPinoConf))' }],
  },
  {
    query: 'keep the msg property of a logged object when a message string is also passed',
    answers: [{ path: HELP, text: 'As described in the message documentation, when a log is written like', to: 'inputArgs[0].originalMsg = inputArgs[0].msg' }],
  },
  {
    query: 'show only error entries from the log output with command line tools',
    answers: [{ path: HELP, text: 'The Pino philosophy advocates common, preexisting, system utilities.', to: "select(.level == 50)" }],
  },
  {
    query: 'pipe the application output into a log processor when it runs as a systemd unit',
    answers: [{ path: HELP, text: 'systemd makes it complicated to use pipes in services.', to: "ExecStart=/bin/sh -c '/path/to/node app.js | pino-transport'" }],
  },
  {
    query: 'get the logs of pods in a kubernetes cluster into Grafana Loki',
    answers: [
      { path: HELP, text: 'To get pino logs into Grafana Loki there are two options:', to: 'sending them to Loki.' },
      { path: TRANSPORTS, text: 'pino-loki is a transport that will forwards logs into', to: "options: { host: 'localhost:3100' }" },
    ],
  },

  // pino/docs/redaction.docx (converted from docs/redaction.md)
  {
    query: 'keep passwords and other secrets out of the log output',
    answers: [
      { path: REDACTION, text: 'To redact sensitive information, supply paths to keys that hold sensitive data using the redact option.' },
      { path: API, text: 'As an array, the `redact` option specifies paths that should', to: 'have their values redacted from any log output.' },
    ],
  },
  {
    query: 'replace hidden values with my own placeholder text instead of the default marker',
    answers: [
      { path: REDACTION, text: 'The redact option can take an array (as shown in the above example) or an object.', to: "censor: '**GDPR COMPLIANT**'" },
      { path: API, text: 'When supplied as a String the `censor` option will overwrite keys that are to be redacted.' },
    ],
  },
  {
    query: 'drop a sensitive field from the JSON entirely rather than masking its value',
    answers: [
      { path: REDACTION, text: 'The redact.remove option also allows for the key and value to be removed from output:', to: 'remove: true' },
      { path: API, text: '* `remove` (Boolean): Optional. Instead of censoring the value, remove both the key and the value.' },
    ],
  },
  {
    query: 'how much does masking fields with wildcard paths slow logging down?',
    answers: [{ path: REDACTION, text: "Pino's redaction functionality is built on top of fast-redact", to: 'See the fast-redact benchmarks for details.' }],
  },
  {
    query: 'may the list of masked paths come from what users type in?',
    answers: [
      { path: REDACTION, text: 'The redact option is intended as an initialization time configuration option.', to: 'user input should never be combined with such an approach.' },
      { path: API, text: '**WARNING**: Never allow user input to define redacted paths.' },
    ],
  },
  {
    query: 'how to write a path that matches every element of an array or a key containing a dash',
    answers: [{ path: REDACTION, text: 'The syntax for paths supplied to the redact option conform to the syntax', to: 'a[*].b' }],
  },

  // fastify/recommendations.pdf (converted from docs/Guides/Recommendations.md)
  {
    query: 'why not expose the Node.js server directly to the internet without nginx or haproxy in front?',
    answers: [{ path: RECOMMENDATIONS, text: 'Node.js is an early adopter of frameworks shipping with an easy-to-use web server', to: 'It prevents horizontal scalability.' }],
  },
  {
    query: 'the kubernetes health check cannot reach the app in the pod',
    answers: [{ path: RECOMMENDATIONS, text: 'The readinessProbe uses (by default) the pod IP as the hostname.', to: 'failureThreshold: 5' }],
  },
  {
    query: 'how many CPU cores to give each instance of the service for the lowest latency',
    answers: [{ path: RECOMMENDATIONS, text: 'To have the lowest possible latency, 2 vCPU are recommended per app', to: "the main thread won't have to stop to let the GC run." }],
  },
  {
    query: 'is it fine to start two servers in one process, for example to serve metrics on a private port?',
    answers: [{ path: RECOMMENDATIONS, text: 'There are several use-cases where running multiple Fastify apps on the same', to: 'used for that Fastify instance.' }],
  },
  {
    query: 'redirect plain http requests to https in the proxy configuration',
    answers: [
      { path: RECOMMENDATIONS, text: '# This server block asks NGINX to respond with a redirect when', to: 'return 301 https://$host$request_uri;' },
      { path: RECOMMENDATIONS, text: '# This redirect rule will redirect all traffic that is not TLS traffic', to: 'redirect scheme https code 308 if !{ ssl_fc }' },
    ],
  },
  {
    query: 'which routing and validation choices hurt throughput in production',
    answers: [{ path: RECOMMENDATIONS, text: 'These patterns can increase latency or reduce throughput in production:', to: 'Ajv Security Risks of Trusted Schemas.' }],
  },
  {
    query: 'decrypt TLS at the proxy and talk plain HTTP to the backend node servers',
    answers: [{ path: RECOMMENDATIONS, text: 'In this example we are defaulting unmatched domain requests to a single', to: 'connection is "terminated" at the reverse proxy.' }],
  },

  // fastify/prototype-poisoning.docx (converted from docs/Guides/Prototype-Poisoning.md)
  {
    query: 'how does parsing untrusted JSON and then copying the object with Object.assign end up changing its prototype?',
    answers: [{ path: POISONING, text: 'Another important part is the way JSON.parse()', to: 'becomes x \'s actual prototype.' }],
  },
  {
    query: 'why is walking a deeply nested attacker-controlled object with recursion risky?',
    answers: [{ path: POISONING, text: 'While recursive functions are a favorite tool, they could be disastrous', to: 'An attacker only needs to craft a deep enough object to crash your servers.' }],
  },
  {
    query: 'a cheap pre-check that avoids scanning every request body for the dangerous key',
    answers: [{ path: POISONING, text: 'I came up with a stupidly simple solution: first parse the text using the existing tools.', to: 'The solution had negligible impact on the vast majority of data expected to pass through it.' }],
  },
  {
    query: 'why does the validation library deliberately ignore inherited properties?',
    answers: [{ path: POISONING, text: 'While joi is used primarily for validating web input data', to: 'Any solution at the joi level would mean breaking some currently working code.' }],
  },
  {
    query: 'how much unpaid time did the maintainer put into fixing the vulnerability?',
    answers: [{ path: POISONING, text: 'My time alone on this one issue exceeded 20 hours.' }],
  },
  {
    query: 'were cookies, headers or the query string also exposed to the attack?',
    answers: [{ path: POISONING, text: 'While the issue at hand was about incoming request payloads', to: 'was not vulnerable (it is not!).' }],
  },

  // pino Markdown docs
  {
    query: 'buffer log lines in memory and write them in bigger chunks for speed',
    answers: [{ path: 'pino/docs/asynchronous.md', text: 'Asynchronous logging enables the minimum overhead of Pino.', to: 'sync: false // Asynchronous logging' }],
  },
  {
    query: 'log messages go missing in serverless functions on AWS',
    answers: [{ path: 'pino/docs/asynchronous.md', text: 'Asynchronous logging in AWS Lambda functions will tend to cause delayed', to: 'with `sync: true`.' }],
  },
  {
    query: 'why does flushing the logger not make prettified output appear immediately?',
    answers: [{ path: 'pino/docs/asynchronous.md', text: '`logger.flush()` does not flush the output of `pino-pretty` because:', to: 'not that `pino-pretty` has written its formatted output.' }],
  },
  {
    query: 'add a field naming the current module to every line logged from one file',
    answers: [{ path: 'pino/docs/child-loggers.md', text: "Let's assume we want to have", to: "const log = parentLogger.child({module: 'foo'})" }],
  },
  {
    query: 'what happens when a nested logger binds the same key as its parent?',
    answers: [{ path: 'pino/docs/child-loggers.md', text: 'Naming conflicts can arise between child loggers and', to: 'Ultimately the conflict is resolved by taking the last value' }],
  },
  {
    query: 'is creating a derived logger for every request expensive?',
    answers: [{ path: 'pino/docs/child-loggers.md', text: 'Child logger creation is fast:', to: 'benchPinoExtremeChildChild*10000: 127.753ms' }],
  },
  {
    query: 'how long does an old major version keep receiving security fixes?',
    answers: [{ path: 'pino/docs/lts.md', text: 'Major releases will receive security updates for an additional six months', to: 'e.g. minimum supported Node.js version.' }],
  },
  {
    query: 'which Node.js versions can run pino 8?',
    answers: [
      { path: 'pino/docs/lts.md', text: '| 8.x | 2022-06-01 | 2024-10-26 | 14, 16, 18, 20 |' },
      { path: 'pino/docs/lts.md', text: 'To keep running on an end-of-life Node.js version, pin your dependency to the', to: 'install the latest `8.x` release with `"pino": "8.x"`.' },
    ],
  },
  {
    query: 'avoid getting breaking changes automatically through a security patch release',
    answers: [{ path: 'pino/docs/lts.md', text: 'To avoid automatically receiving breaking security updates it is possible to use', to: 'so please use with caution.' }],
  },
  {
    query: 'writing to a file from a bundle that runs in the web browser fails with a TypeError',
    answers: [{ path: 'pino/docs/browser.md', text: 'does not implement the parts of the API that depend on the file', to: 'Fans out to multiple destination streams.' }],
  },
  {
    query: 'ship log events from the web page to a remote server',
    answers: [{ path: 'pino/docs/browser.md', text: '### `transmit` (Object)', to: '// send the logEvent somewhere' }],
  },
  {
    query: 'show the file and line number of each log call in the browser console',
    answers: [{ path: 'pino/docs/browser.md', text: '### `reportCaller` (Boolean)', to: "// -> console receives: 'hello', '/path/to/file.js:10:15'" }],
  },
  {
    query: 'switch logging off completely',
    answers: [
      { path: 'pino/docs/browser.md', text: '### `disabled` (Boolean)', to: 'to `true`, by default it is set to `false`.' },
      { path: API, text: '#### `enabled` (Boolean)', to: 'Set to `false` to disable logging.' },
    ],
  },
  {
    query: 'log every incoming request of an Express application',
    answers: [{ path: 'pino/docs/web.md', text: '## Pino with Express', to: 'app.listen(3000)' }],
  },
  {
    query: 'the per-request logger that comes built into Fastify',
    answers: [{ path: 'pino/docs/web.md', text: 'The Fastify web framework comes bundled with Pino by default', to: 'as the [`pino` options object](/docs/api.md#options-object).' }],
  },
  {
    query: 'attach a request id to all lines logged while handling a Hono request',
    answers: [{ path: 'pino/docs/web.md', text: '## Pino with Hono', to: 'createLogger: (c) => rootLogger.child({ requestId: c.var.requestId }),' }],
  },
  {
    query: 'which extra files must webpack or esbuild emit for the logger to work after bundling?',
    answers: [{ path: 'pino/docs/bundling.md', text: 'Due to its internal architecture based on Worker Threads', to: 'are required identifiers.' }],
  },
  {
    query: 'colored, human-readable output while developing locally',
    answers: [{ path: 'pino/docs/pretty.md', text: 'By default, Pino log lines are newline delimited JSON (NDJSON).', to: 'colorize: true' }],
  },
  {
    query: 'hook into the moment each line is serialized using Node diagnostics_channel',
    answers: [{ path: 'pino/docs/diagnostics.md', text: 'Pino provides [tracing channel](tc) events', to: 'the finalized, newline delimited, log line as a string' }],
  },
  {
    query: 'how much faster than winston or bunyan is it?',
    answers: [
      { path: 'pino/docs/benchmarks.md', text: 'BASIC benchmark averages', to: 'PinoNodeStream average: 159.192ms' },
      { path: 'pino/README.md', text: 'In many cases, Pino is over 5x faster than alternatives.' },
    ],
  },
  {
    query: 'where do I report a vulnerability and how soon will someone answer?',
    answers: [{ path: 'pino/SECURITY.md', text: 'Individuals who find potential vulnerabilities in Pino are invited', to: 'Within 5 business days, a member of the security team provides a first answer' }],
  },
  {
    query: 'are pull requests generated by bots without a person involved accepted?',
    answers: [{ path: 'pino/CONTRIBUTING.md', text: 'Pure-AI contributions with no human in the loop are not welcome.', to: 'from the organization.' }],
  },
  {
    query: 'why should shipping and reformatting logs happen outside the main event loop?',
    answers: [
      { path: 'pino/README.md', text: "Due to Node's single-threaded event-loop, it's highly recommended that sending,", to: 'transports be run in a worker thread using our `pino.transport` API.' },
      { path: TRANSPORTS, text: 'It is recommended that any log transformation or transmission is performed either', to: 'in a separate thread or a separate process.' },
    ],
  },
  {
    query: 'add properties computed at call time to every log entry',
    answers: [{ path: API, text: 'If provided, the `mixin` function is called each time one of the active', to: 'logged JSON.' }],
  },
  {
    query: 'start every message with a fixed tag like [HTTP]',
    answers: [{ path: API, text: '#### `msgPrefix` (String)', to: '// > [HTTP] User authenticated!' }],
  },
  {
    query: 'put logged objects under their own key so they cannot clash with level or time',
    answers: [{ path: API, text: '#### `nestedKey` (String)', to: 'and searching for logged objects can start from a consistent path.' }],
  },
  {
    query: 'use ISO 8601 dates instead of milliseconds since the epoch',
    answers: [
      { path: API, text: '#### `timestamp` (Boolean | Function)', to: '**Caution**: attempting to format time in-process will significantly impact logging performance.' },
      { path: API, text: '### `pino.stdTimeFunctions` (Object)', to: '* `pino.stdTimeFunctions.isoTimeNano`' },
    ],
  },
  {
    query: 'get notified whenever the verbosity of a running logger is changed',
    answers: [{ path: API, text: 'A listener function can be attached to a logger via the `level-change` event', to: "logger.level = 'trace' // trigger event" }],
  },
  {
    query: 'check whether debug output is on before building an expensive message',
    answers: [{ path: API, text: 'A utility method for determining if a given log level will write to the destination.', to: "if (logger.isLevelEnabled('debug')) logger.debug('conditional log')" }],
  },
  {
    query: 'why should the most severe level not be used for ordinary errors?',
    answers: [{ path: API, text: "Since `'fatal'` level messages are intended to be logged just before the process exiting", to: 'the process crashes or exits.' }],
  },
  {
    query: 'lines are lost when the program exits right after starting the log worker',
    answers: [{ path: TRANSPORTS, text: 'The new transports boot asynchronously and calling `process.exit()` before the transport', to: "transport.on('ready', function () {" }],
  },
  {
    query: 'write logs to a file in a folder that does not exist yet',
    answers: [{ path: TRANSPORTS, text: 'By default, the `pino/file` transport assumes the directory of the destination file exists.', to: "options: { destination: '/path/to/file', mkdir: true }" }],
  },
  {
    query: 'implement my own destination module that receives each parsed log line',
    answers: [
      { path: TRANSPORTS, text: 'The module [pino-abstract-transport](https://github.com/pinojs/pino-abstract-transport) provides', to: 'callback is called or the returned promise resolves. Otherwise, log lines will be lost.' },
      { path: TRANSPORTS, text: 'A transport is a module that exports a default function that returns a writable stream:', to: 'return createWriteStream(options.destination)' },
    ],
  },
  {
    query: 'debug messages never reach one of my several outputs even though the logger level is debug',
    answers: [{ path: TRANSPORTS, text: '- Multiple `targets`: `logger.level` is applied first, then each `targets[i].level` is applied.', to: '2. `level` on each target that should receive those messages.' }],
  },
  {
    query: 'run a .mts transport without compiling it first',
    answers: [{ path: TRANSPORTS, text: 'Starting with Node.js 22.6.0, you can use TypeScript transports directly', to: '- Type stripping is not available in Node.js 20.x or earlier versions' }],
  },
  {
    query: 'how does an exception raised in the worker thread get back to my code?',
    answers: [{ path: TRANSPORTS, text: 'How are error messages propagated from a transport worker to Pino?', to: 'is caught by our error listener.' }],
  },
  {
    query: 'where does an Error object end up in the JSON line, and under which key?',
    answers: [{ path: API, text: 'Errors can be supplied as either the first parameter or if already using `mergingObject`', to: 'logger.info({ err: new Error("test"), otherkey: 123 }, "some text")' }],
  },
  {
    query: 'is it dangerous to log an object received from a client as is?',
    answers: [
      { path: API, text: 'Do not pass an externally supplied object directly as the `mergingObject`.', to: 'logger.info({ untrusted: untrustedObject })' },
      { path: 'pino/SECURITY.md', text: 'Pino also assumes that applications control the top-level keys of logged objects', to: 'hygiene, prefer not to log untrusted data at all unless it is necessary.' },
      { path: HELP, text: 'For untrusted data, avoid passing externally supplied objects directly to logging', to: 'necessary.' },
    ],
  },
  {
    query: 'define an extra severity between info and warn',
    answers: [{ path: API, text: 'Use this option to define additional logging levels.', to: "logger.foo('hi')" }],
  },
];
