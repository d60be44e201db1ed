// Hand-written questions for the docs-fastify dataset (scripts/make-eval-datasets.mjs), held out: it is not
// used to tune the engine. The corpus is the fastify@5.12.8 documentation, Markdown only: every file of
// docs/Guides and docs/Reference, as `Guides/<name>.md` and `Reference/<name>.md`.
// Each answer names a file of the corpus and a passage that answers the question: `text` (and, for a
// longer span, `to`, the first match after `text`) are quoted from the file as written, whitespace-insensitively
// (a quote inside a `>` block stays within one line, since the `>` of the next line is part of the text). The
// script fails when a passage is missing or (for `text`) not unique, so every range was checked against the text.
// Questions are phrased as a developer would ask them, a task or a problem, avoiding the passage's own words
// where natural; several answers are listed only when each one answers on its own.

const ROUTES = 'Reference/Routes.md';
const REPLY = 'Reference/Reply.md';
const REQUEST = 'Reference/Request.md';
const HOOKS = 'Reference/Hooks.md';
const SERVER = 'Reference/Server.md';
const VALIDATION = 'Reference/Validation-and-Serialization.md';
const ERRORS = 'Reference/Errors.md';
const LOGGING = 'Reference/Logging.md';
const PLUGINS = 'Reference/Plugins.md';
const DECORATORS = 'Reference/Decorators.md';
const PARSER = 'Reference/ContentTypeParser.md';
const TYPESCRIPT = 'Reference/TypeScript.md';
const TYPE_PROVIDERS = 'Reference/Type-Providers.md';
const MIDDLEWARE = 'Reference/Middleware.md';
const GETTING_STARTED = 'Guides/Getting-Started.md';
const TESTING = 'Guides/Testing.md';
const DATABASE = 'Guides/Database.md';
const SERVERLESS = 'Guides/Serverless.md';
const PLUGINS_GUIDE = 'Guides/Plugins-Guide.md';
const MIGRATION_V5 = 'Guides/Migration-Guide-V5.md';
const ABORT = 'Guides/Detecting-When-Clients-Abort.md';
const DELAY = 'Guides/Delay-Accepting-Requests.md';
const RECOMMENDATIONS = 'Guides/Recommendations.md';
const POISONING = 'Guides/Prototype-Poisoning.md';

export const FASTIFY_QUESTIONS = [
  // Reference/Routes.md
  {
    query: 'route the same URL to different handlers depending on which API release the client asks for in a header',
    answers: [{ path: ROUTES, text: 'You can provide a `version` key in the `constraints` option to a route.', to: 'Advanced version ranges and pre-releases currently are not supported.' }],
  },
  {
    query: 'users can escape my download folder by putting an encoded slash in the file name part of the URL',
    answers: [
      { path: ROUTES, text: 'Fastify (via find-my-way) percent-decodes route parameters and wildcards', to: 'joining `request.params` into a filesystem path yourself.' },
      { path: REQUEST, text: '`request.params`, `request.query`, `request.headers`, and `request.body`', to: '(or `reply.sendFile`) when serving files from a root directory.' },
    ],
  },
  {
    query: 'my async handler calls reply.send and also returns an object: which one reaches the client?',
    answers: [{ path: ROUTES, text: 'When using both `return value` and `reply.send(value)`, the first one takes', to: 'precedence, the second is discarded, and a *warn* log is emitted.' }],
  },
  {
    query: 'attach fixed per-endpoint settings, like a greeting text, and read them back inside one shared handler',
    answers: [{ path: ROUTES, text: 'Registering a new handler, you can pass a configuration object to it and', to: "fastify.get('/it', { config: { output: 'ciao mondo!' } }, handler)" }],
  },
  {
    query: 'answer on an endpoint only when the request was sent to one of the subdomains of my site',
    answers: [
      { path: ROUTES, text: 'RegExp `host` constraints can also be specified allowing constraining to hosts', to: 'will match any subdomain of fastify.dev' },
      { path: ROUTES, text: 'Provide a `host` key in the `constraints` route option to limit the route to', to: 'arbitrary host matching.' },
    ],
  },
  {
    query: 'the path prefix given at registration is ignored because my routes module is wrapped to share its scope',
    answers: [
      { path: ROUTES, text: 'If using [`fastify-plugin`](https://github.com/fastify/fastify-plugin) to wrap', to: "name: 'my-routes'" },
      { path: PLUGINS, text: 'Be aware that if routes are wrapped with', to: 'not work (see the [workaround](./Routes.md#fastify-plugin)).' },
    ],
  },
  {
    query: 'accept uploads of up to 10 MB on one endpoint while every other endpoint keeps the default cap',
    answers: [{ path: ROUTES, text: '`bodyLimit`: prevents the default JSON body parser from parsing request bodies', to: 'Defaults to `1048576` (1 MiB).' }],
  },

  // Reference/Reply.md
  {
    query: 'a string sent with an application/json content type arrives unquoted, I want it encoded as JSON',
    answers: [{ path: REPLY, text: 'Even when the `Content-Type` header is set to `application/json`,', to: '.send(\'Hello\') // Returns "Hello" (JSON-encoded string)' }],
  },
  {
    query: 'setting two cookies with two separate header calls: does the second one replace the first?',
    answers: [{ path: REPLY, text: 'When sending different values as a cookie with `set-cookie` as the key,', to: "`reply.removeHeader('set-cookie')`" }],
  },
  {
    query: 'take over the raw Node response myself and stop the framework from answering or running the remaining hooks',
    answers: [
      { path: REPLY, text: 'Sometimes you might need to halt the execution of the normal request lifecycle', to: 'hooks will still be executed.' },
      { path: 'Reference/Lifecycle.md', text: 'Before or during the `User Handler`, `reply.hijack()` can be called to:', to: 'be executed.' },
    ],
  },
  {
    query: 'send an ETag or a timing header that can only be computed after the body has gone out',
    answers: [{ path: REPLY, text: 'Sets a response trailer. Trailer is usually used when you need a header that', to: "return hash.digest('hex')" }],
  },
  {
    query: 'fail an async route with status 418 and my own message without touching the reply object',
    answers: [{ path: REPLY, text: 'Rejected promises default to a `500` HTTP status code.', to: "throw { statusCode: 418, message: 'short and stout' }" }],
  },
  {
    query: 'I edited a schema object after a function was compiled from it, but the old rules still apply',
    answers: [
      { path: REPLY, text: 'Note that you should be careful when using this function, as it will cache', to: 'mechanism.' },
      { path: REQUEST, text: 'Be careful when using this function, as it caches compiled validation functions', to: 'from the cache mechanism.' },
    ],
  },

  // Reference/Request.md
  {
    query: 'abort an outgoing HTTP call made inside a handler when the caller goes away or the time budget runs out',
    answers: [
      { path: REQUEST, text: 'An `AbortSignal` that aborts when the handler timeout fires or the client', to: 'Check `signal.reason.code` to distinguish the two cases.' },
      { path: SERVER, text: 'The timeout is **cooperative**: when it fires, Fastify sends the 503 error', to: '(`fetch()`, database drivers, `stream.pipeline()`) will cancel automatically.' },
    ],
  },
  {
    query: 'inspect the failed validation inside the handler instead of letting the framework reply on its own',
    answers: [
      { path: REQUEST, text: 'The validation error of the request. It is set only when the route has the', to: "reply.send({ hello: 'world' })" },
      { path: VALIDATION, text: 'To handle errors inside the route, specify the `attachValidation` option. If', to: 'reply.code(400).send(req.validationError)' },
    ],
  },
  {
    query: 'request.headers comes back empty once I declared a schema for the headers',
    answers: [{ path: REQUEST, text: 'Schema validation may mutate the `request.headers` and', to: 'objects, causing the headers to become empty.' }],
  },
  {
    query: 'the client IP I log is always the address of the load balancer, not of the visitor',
    answers: [
      { path: REQUEST, text: 'The IP address of the incoming request. This value is taken from', to: 'when the underlying socket is not available.' },
      { path: SERVER, text: 'By enabling the `trustProxy` option, Fastify will know that it is sitting behind', to: '[`request`](./Request.md) object.' },
      { path: RECOMMENDATIONS, text: '# This section matches all paths and proxies it to the backend server', to: '# fields are used by fastify.' },
    ],
  },

  // Reference/Hooks.md
  {
    query: 'send a 401 from a hook and make sure neither the later hooks nor the handler run',
    answers: [{ path: HOOKS, text: 'If needed, you can respond to a request before you reach the route handler, for', to: 'return reply // mandatory, so the request is not executed further' }],
  },
  {
    query: 'my hook is an async function that still calls done(), and handlers seem to run twice',
    answers: [
      { path: HOOKS, text: 'The `done` callback is not available when using `async`/`await` or', to: 'duplicate invocation of handlers.' },
      { path: HOOKS, text: 'It is important to __not mix callbacks and `async`/`Promise`__, otherwise the', to: 'hook chain will be executed twice.' },
    ],
  },
  {
    query: 'why is the parsed payload missing in the very first hook of a request?',
    answers: [{ path: HOOKS, text: 'In the [onRequest](#onrequest) hook, `request.body` will always be', to: '[preValidation](#prevalidation) hook.' }],
  },
  {
    query: 'clients send gzip-compressed request bodies: inflate them before they reach the JSON parser',
    answers: [{ path: HOOKS, text: 'If you are using the `preParsing` hook, you can transform the request payload', to: 'on each received chunk.' }],
  },
  {
    query: 'report every failed request to an external error tracker without changing what the client receives',
    answers: [{ path: HOOKS, text: 'This hook is useful if you need to do some custom error logging or add some', to: 'Unlike the other hooks, passing an error to the `done` function is not' }],
  },
  {
    query: 'is it safe to close the database pool in a shutdown hook, or could requests still be running?',
    answers: [{ path: HOOKS, text: 'Triggered when `fastify.close()` is invoked to stop the server. By the time', to: 'arrive.' }],
  },
  {
    query: 'open WebSocket connections keep close() from ever finishing',
    answers: [
      { path: HOOKS, text: 'It is useful when [plugins](./Plugins.md) have set up state attached to the HTTP', to: "ws.close(1001, 'Server shutting down')" },
      { path: SERVER, text: 'Upgraded connections (such as WebSocket) are not tracked by the HTTP', to: 'explicitly in a [`preClose`](./Hooks.md#pre-close) hook.' },
    ],
  },
  {
    query: 'look up the logged-in user once per request and make it available to every route handler',
    answers: [
      { path: HOOKS, text: 'A very common use case is, for example, checking user authentication based', to: "return { isAdmin: req.authenticatedUser?.role === 'admin' || false }" },
      { path: DECORATORS, text: 'The above example mutates the request object after instantiation, causing the', to: 'reply.send(`Hello, ${req.user}!`)' },
    ],
  },

  // Reference/Server.md
  {
    query: 'give every route a maximum processing time and answer 503 when a handler is too slow',
    answers: [{ path: SERVER, text: 'Defines the maximum number of milliseconds allowed for processing a request', to: 'positive integer.' }],
  },
  {
    query: 'the app faces the internet with no proxy in front: protect it from clients that send their request very slowly',
    answers: [{ path: SERVER, text: 'Defines the maximum number of milliseconds for receiving the entire request from', to: 'in front.' }],
  },
  {
    query: 'answer requests whose path has malformed percent escapes with my own 400 message',
    answers: [
      { path: SERVER, text: 'the use case of a badly formatted url (eg: /hello/%world), by default find-my-way', to: 'res.end(`Bad path: ${path}`)' },
      { path: SERVER, text: 'Fastify provides default error handlers for the most common use cases. It is', to: 'return res.send("Provided url is not valid")' },
    ],
  },
  {
    query: 'register handlers for WebDAV request methods like MKCOL',
    answers: [
      { path: SERVER, text: 'Fastify supports the `GET`, `HEAD`, `TRACE`, `DELETE`, `OPTIONS`,', to: "fastify.mkcol('/', (req, reply) => {" },
      { path: MIGRATION_V5, text: 'We have removed the following HTTP methods from Fastify:', to: 'fastify.supportedMethods // returns a string array' },
    ],
  },
  {
    query: 'what happens, step by step, between calling close() and its promise resolving?',
    answers: [{ path: SERVER, text: 'When `fastify.close()` is called, the following steps happen in order:', to: '6. The `close` callback (or the returned Promise) resolves.' }],
  },
  {
    query: 'my custom error handler never sees unknown-route errors or exceptions thrown after the response went out',
    answers: [{ path: SERVER, text: '`setErrorHandler` will ***not*** catch:', to: 'Use custom in-stream data to signal such errors.' }],
  },
  {
    query: 'stop writing the incoming and completed log lines for health-check probes',
    answers: [{ path: SERVER, text: 'This option can also be a function that receives the Fastify request object', to: '}) }) ```' }],
  },
  {
    query: 'list every registered path and method as a tree to check what the router knows about',
    answers: [{ path: SERVER, text: '`fastify.printRoutes()`: Fastify router builds a tree of routes for each HTTP', to: '**You can use it for debugging.**' }],
  },

  // Reference/Validation-and-Serialization.md
  {
    query: 'a field that may be a number or null turns 0 into null',
    answers: [{ path: VALIDATION, text: 'When type coercion is enabled, using `anyOf` with nullable primitive types', to: '"nullable": true' }],
  },
  {
    query: 'check request bodies with Joi schemas instead of JSON Schema',
    answers: [{ path: VALIDATION, text: 'The `setValidatorCompiler` function allows substituting `ajv` with other', to: 'hello: Joi.string().required()' }],
  },
  {
    query: 'a query parameter given only once arrives as a plain string although I declared it as a list',
    answers: [{ path: VALIDATION, text: 'The Ajv default configuration in Fastify supports coercing array parameters in', to: '{"params":{"ids":["1"]}}' }],
  },
  {
    query: 'keep internal fields such as password hashes from leaking into JSON responses',
    answers: [
      { path: VALIDATION, text: 'Fastify uses [fast-json-stringify](https://www.npmjs.com/package/fast-json-stringify) to send data as JSON', to: "fastify.post('/the/url', { schema }, handler)" },
      { path: GETTING_STARTED, text: 'By specifying a schema as shown, you can speed up serialization by a factor of', to: 'since Fastify will serialize only the data present in the response schema.' },
    ],
  },
  {
    query: 'give each body field its own human-written message when it fails a check',
    answers: [{ path: VALIDATION, text: 'Below is an example showing how to add **custom error messages for each', to: "age: 'Why no age!' // property is missing from input" }],
  },
  {
    query: 'answer 422 instead of 400 for every schema failure across the whole app',
    answers: [{ path: VALIDATION, text: 'Use [setErrorHandler](./Server.md#seterrorhandler) to define a custom response', to: "reply.status(422).send(new Error('validation failed'))" }],
  },
  {
    query: 'a header rule written as a pattern with capital letters, like X-Debug-*, never matches',
    answers: [{ path: VALIDATION, text: 'Regular-expression constraints on header names are the exception. A', to: 'apply.' }],
  },
  {
    query: 'the process dies with an unhandled rejection when my own validation function throws',
    answers: [
      { path: VALIDATION, text: 'When implementing custom validators, follow these patterns to ensure compatibility', to: 'an application.' },
      { path: VALIDATION, text: 'When using custom validators with async `preValidation` hooks,', to: 'correct pattern.' },
    ],
  },

  // Reference/Errors.md
  {
    query: 'SQL details like an unknown column name show up in the 500 responses users get',
    answers: [
      { path: ERRORS, text: 'Because `message` and `code` are forwarded as-is, errors thrown by libraries', to: 'unexpected errors must not reach the client, handle this explicitly.' },
      { path: ERRORS, text: 'Register a [`setErrorHandler`](./Server.md#seterrorhandler) to replace the', to: "message: 'Internal Server Error'" },
    ],
  },
  {
    query: 'an error handler inside a plugin rethrows, but the parent one is skipped and the default handler answers',
    answers: [{ path: ERRORS, text: "If a plugin's error handler re-throws an error that is not an instance of", to: 'handling in Fastify.' }],
  },
  {
    query: 'my errors carry a status code and headers, but they are ignored since I installed my own error handler',
    answers: [
      { path: ERRORS, text: "The root error handler is Fastify's generic error handler.", to: 'is provided.' },
      { path: 'Guides/Migration-Guide-V4.md', text: "The root error handler is Fastify's generic error handler.", to: 'a custom error handler is provided**.' },
    ],
  },

  // Reference/Logging.md
  {
    query: 'include the parsed JSON payload in the request log: my req serializer never sees it',
    answers: [{ path: LOGGING, text: 'The body cannot be serialized inside the `req` serializer because the', to: "req.log.info({ body: req.body }, 'parsed body')" }],
  },
  {
    query: 'readable colored logs on my laptop, JSON in production and nothing at all during tests',
    answers: [{ path: LOGGING, text: 'Enabling the logger for local development, production, and test environments', to: 'by default for performance reasons.' }],
  },
  {
    query: 'bearer tokens show up in my request logs',
    answers: [{ path: LOGGING, text: '[Pino](https://getpino.io) supports low-overhead log redaction for masking', to: "redact: ['req.headers.authorization']," }],
  },

  // Reference/Plugins.md
  {
    query: 'hand the database client created by an earlier plugin to the options of the next one',
    answers: [
      { path: PLUGINS, text: 'The `options` parameter can also be a `Function` evaluated at plugin registration,', to: 'connection.' },
      { path: PLUGINS_GUIDE, text: 'In case you rely on a variable injected by a preceding plugin and want to pass', to: 'variables that were injected by preceding plugins in the order of declaration.' },
    ],
  },
  {
    query: 'a helper I attach inside a registered plugin is undefined everywhere else in the app',
    answers: [
      { path: PLUGINS, text: 'If `register` is used only to extend server functionality with', to: "}, '0.x')" },
      { path: PLUGINS_GUIDE, text: "Yes, I said that. However, what I didn't tell you is that you can tell Fastify", to: 'module.exports = fp(dbPlugin)' },
      { path: 'Reference/Encapsulation.md', text: 'Each context in the previous example inherits _only_ from its parent contexts.', to: 'to the parent context.' },
    ],
  },

  // Reference/Decorators.md
  {
    query: 'why is setting a brand-new property on the request inside a hook bad for performance?',
    answers: [{ path: DECORATORS, text: 'Decorating core objects with this API allows the underlying JavaScript engine to', to: 'deoptimization:' }],
  },
  {
    query: 'startup fails when I give a request helper an object literal as its initial value',
    answers: [
      { path: DECORATORS, text: 'Using `decorateRequest` will emit an error if used with a reference type:', to: 'module.exports = fp(myPlugin)' },
      { path: MIGRATION_V5, text: 'Decorating Request/Reply with a reference type (`Array`, `Object`)', to: "return { hello: 'world' }" },
    ],
  },

  // Reference/Encapsulation.md
  {
    query: 'require a bearer token on some routes while leaving the rest public',
    answers: [
      { path: 'Reference/Encapsulation.md', text: 'example into concrete terms, consider a basic scenario of a REST API server', to: '// request.bar will be undefined as it is only defined in grandchildContext' },
      { path: PLUGINS_GUIDE, text: 'Sometimes you want a hook that should be executed for just a subset of routes,', to: 'Now your hook will run just for the first route!' },
    ],
  },

  // Reference/ContentTypeParser.md
  {
    query: 'accept XML request bodies and turn them into objects',
    answers: [
      { path: PARSER, text: 'To support other content types, use the `addContentTypeParser` API or an', to: 'existing [plugin](https://fastify.dev/ecosystem/).' },
      { path: PARSER, text: '// Handle multiple content types with the same function', to: '}) })' },
    ],
  },
  {
    query: 'the body of my DELETE request is not parsed, and bodies sent with GET are ignored',
    answers: [{ path: PARSER, text: 'Note that for `GET` and `HEAD` requests, the payload is never parsed. For', to: 'payload is simply not parsed.' }],
  },
  {
    query: 'pipe the incoming upload straight through to another destination without buffering it',
    answers: [{ path: PARSER, text: 'This is also useful for piping the request stream. Define a content parser like:', to: 'reply.send(request.raw)' }],
  },

  // Reference/TypeScript.md
  {
    query: 'typed request.query and request.headers inside a TypeScript route handler',
    answers: [{ path: TYPESCRIPT, text: 'Using the three interfaces, define a new API route and pass them as generics.', to: "reply.code(404).send({ error: 'Not found' });" }],
  },
  {
    query: "a plugin's added properties are missing from my types when I load it with require()",
    answers: [{ path: TYPESCRIPT, text: 'Note that using `require` will not load the type definitions properly and may', to: '"types": ["plugin"] // we force TypeScript to import the types' }],
  },

  // Reference/Type-Providers.md
  {
    query: 'request.query loses its inferred type once I move the inline schema into a separate constant',
    answers: [{ path: TYPE_PROVIDERS, text: 'When using raw JSON Schema objects with `JsonSchemaToTsProvider`, TypeScript', to: 'This assertion has no effect on the schema used by Fastify at runtime.' }],
  },
  {
    query: 'body types inferred from TypeBox schemas disappear inside a registered plugin',
    answers: [{ path: TYPE_PROVIDERS, text: 'It is important to note that since the types do not propagate globally, it is', to: 'const server = fastify.withTypeProvider<TypeBoxTypeProvider>()' }],
  },

  // Reference/HTTP2.md, Lifecycle.md, Middleware.md, Warnings.md, LTS.md
  {
    query: 'serve HTTP/2 to browsers while older clients keep talking HTTP/1.1 on the same port',
    answers: [{ path: 'Reference/HTTP2.md', text: '[ALPN negotiation](https://datatracker.ietf.org/doc/html/rfc7301) enables', to: '// This route can be accessed through both protocols' }],
  },
  {
    query: 'in which order do body parsing, schema checks and each kind of hook run for a request?',
    answers: [{ path: 'Reference/Lifecycle.md', text: 'This diagram shows the internal lifecycle of Fastify.', to: '└─▶ onResponse Hook' }],
  },
  {
    query: 'reuse existing Express middleware such as cors or hsts',
    answers: [{ path: MIDDLEWARE, text: 'As of Fastify v3.0.0, middleware is not supported out of the box and requires', to: "fastify.use(require('x-xss-protection')())" }],
  },
  {
    query: 'reply.send does not exist inside a function I mounted with use()',
    answers: [{ path: MIDDLEWARE, text: 'This is because Fastify wraps the incoming Node.js `req` and `res` objects into', to: 'more information, see [Hooks](./Hooks.md).' }],
  },
  {
    query: 'find the line of my code that triggers a framework deprecation message',
    answers: [{ path: 'Reference/Warnings.md', text: 'Fastify uses the Node.js [warning event](https://nodejs.org/api/process.html#event-warning)', to: 'be closed.' }],
  },
  {
    query: 'can I run the current major release on Node.js 18?',
    answers: [
      { path: 'Reference/LTS.md', text: '| Version | Release Date | End Of LTS Date | Node.js | Nsolid(Node) |', to: '| 5.0.0 | 2024-09-17 | TBD | 20, 22 | v5(20) |' },
      { path: MIGRATION_V5, text: 'Fastify v5 will only support Node.js v20+. If you are using an older version of', to: 'Node.js, you will need to upgrade to a newer version to use Fastify v5.' },
    ],
  },

  // Guides/Getting-Started.md
  {
    query: 'the server runs inside a Docker container but nothing answers from the host machine',
    answers: [
      { path: GETTING_STARTED, text: 'The above examples, and subsequent examples in this document, default to', to: '`::` would be the easiest method for exposing the application.' },
      { path: SERVER, text: 'When deploying to a Docker, and potentially other, containers, it is advisable', to: "fastify.listen({ port: 3000, host: '0.0.0.0' }, (err, address) => {" },
    ],
  },
  {
    query: 'make sure the database connection exists before the routes that use it are set up',
    answers: [
      { path: GETTING_STARTED, text: 'Consider the scenario where a database connection is needed to handle data', to: 'Fastify handles this internally, with minimum effort!' },
      { path: GETTING_STARTED, text: 'This is one of the best features of Fastify, it will load your plugins in the', to: '`fastify.ready()`' },
    ],
  },
  {
    query: 'in what sequence should third-party extensions, my own utilities and the service routes be loaded?',
    answers: [{ path: GETTING_STARTED, text: 'To guarantee consistent and predictable behavior of your application, we highly', to: 'the current scope.' }],
  },
  {
    query: 'scaffold and start the project from a command-line tool instead of calling listen myself',
    answers: [{ path: GETTING_STARTED, text: 'Fastify also has CLI integration via', to: 'npm start' }],
  },

  // Guides/Testing.md
  {
    query: 'exercise my routes in tests without opening a real network port',
    answers: [{ path: TESTING, text: 'Fastify comes with built-in support for fake HTTP injection thanks to', to: 'Using await we can store the response without a callback.' }],
  },
  {
    query: 'structure the code so that tests can build the app without it starting to listen',
    answers: [{ path: TESTING, text: 'First, we are going to separate our application code from our server code:', to: 'module.exports = build' }],
  },
  {
    query: 'use supertest against the app in my test suite',
    answers: [{ path: TESTING, text: '**test-ready.js** (testing with', to: "t.assert.deepStrictEqual(response.body, { hello: 'world' })" }],
  },
  {
    query: 'step through a single test in the VS Code debugger',
    answers: [{ path: TESTING, text: '1. Isolate your test by passing the `{only: true}` option', to: '`Fastify`) in your code editor.' }],
  },

  // Guides/Database.md
  {
    query: 'the Redis connection stays open after the server has stopped',
    answers: [{ path: DATABASE, text: "By default `@fastify/redis` doesn't close", to: 'closeClient: true' }],
  },
  {
    query: 'expose a SQL query builder to all routes as a plugin and tear it down on close',
    answers: [{ path: DATABASE, text: 'We could write a plugin for a database', to: "export default fp(knexPlugin, { name: 'fastify-knex-example' })" }],
  },
  {
    query: 'apply numbered SQL scripts to evolve the database tables',
    answers: [{ path: DATABASE, text: 'Postgrator is Node.js SQL migration tool that uses a directory of SQL scripts to', to: 'table and we are going to use `Postgrator` to run the migration.' }],
  },

  // Guides/Serverless.md
  {
    query: 'deploy the app to AWS Lambda behind API Gateway while still running it locally with node',
    answers: [{ path: SERVERLESS, text: 'When executed in your lambda function we do not need to listen to a specific', to: 'events (API Gateway requests) are passed to the `proxy` function of' }],
  },
  {
    query: 'POST bodies arrive mangled when the app runs as a Google Cloud Function',
    answers: [{ path: SERVERLESS, text: 'since the Google Cloud Functions platform parses the body of the request before', to: 'done(null, body.body);' }],
  },
  {
    query: 'the Firebase function hangs after a JSON request, and I need the unparsed body to verify a webhook signature',
    answers: [{ path: SERVERLESS, text: "Firebase Function's HTTP layer already parses the request and makes a JSON", to: 'the Content-Type `application/json`.**' }],
  },
  {
    query: 'limits on streaming responses and on long requests when running on Lambda behind API Gateway',
    answers: [{ path: SERVERLESS, text: 'API Gateway does not support streams yet, so you are not able to handle', to: 'during this time.' }],
  },
  {
    query: 'which port and address to listen on when the container is deployed to Cloud Run',
    answers: [{ path: SERVERLESS, text: 'For Fastify to properly listen for requests within the container, be', to: 'const host = IS_GOOGLE_CLOUD_RUN ? "0.0.0.0" : undefined' }],
  },
  {
    query: 'the cloud console lumps all traffic under one function: get request counts and latency per route',
    answers: [
      { path: SERVERLESS, text: 'Google Cloud Functions exposes one entry point for your Fastify instance, so', to: 'error rates.' },
      { path: SERVERLESS, text: 'When a Fastify instance is wrapped with a single `onRequest()` handler, all', to: 'handlers instead of routing everything through a single Fastify instance.' },
    ],
  },

  // Guides/Plugins-Guide.md
  {
    query: 'run a per-request step only on the routes that opt in through a flag in their options',
    answers: [{ path: PLUGINS_GUIDE, text: 'An alternative approach is to make use of the [onRoute hook](../Reference/Hooks.md#onroute)', to: "instance.get('/plugin1', {config: {useUtil: true}}, (request, reply) => {" }],
  },
  {
    query: 'code placed right after register() cannot see what the plugin sets up yet: when does it become available?',
    answers: [{ path: PLUGINS_GUIDE, text: 'As we mentioned earlier, Fastify starts loading its plugins __after__', to: '`.inject()`, or `.ready()`.' }],
  },
  {
    query: 'run my own logic when a plugin such as the database connector fails to start',
    answers: [
      { path: PLUGINS_GUIDE, text: 'One of your plugins may fail during startup. Maybe you expect it', to: 'if (err) throw err' },
      { path: PLUGINS, text: 'As a general rule, handle errors in the next `after` or `ready` block, otherwise', to: 'fastify.listen({ port: 3000 }, (err, address) => {' },
    ],
  },
  {
    query: 'give my plugin its own error classes with stable codes',
    answers: [{ path: PLUGINS_GUIDE, text: 'If your plugin needs to expose custom errors, you can easily generate consistent', to: 'console.log(new CustomError())' }],
  },

  // Guides/Write-Plugin.md
  {
    query: 'what does a plugin need before it can be listed in the official ecosystem?',
    answers: [
      { path: 'Guides/Write-Plugin.md', text: 'Documentation is extremely important. If your plugin is not well documented we', to: 'unused.' },
      { path: 'Guides/Write-Plugin.md', text: 'A plugin **must** be thoroughly tested to verify that it is working properly.', to: 'among different versions of its dependencies.' },
    ],
  },

  // Guides/Migration-Guide-V5.md
  {
    query: 'after upgrading, a querystring schema that only lists the properties is rejected',
    answers: [{ path: MIGRATION_V5, text: 'Starting with v5, Fastify will require a full JSON schema for the `querystring`,', to: "required: ['name']" }],
  },
  {
    query: 'passing my own pino instance in the logger option fails after upgrading',
    answers: [
      { path: MIGRATION_V5, text: 'In Fastify v4, Fastify accepted the options to build a pino', to: 'loggerInstance });' },
      { path: ERRORS, text: 'The logger option only accepts a configuration object, not a logger instance.' },
    ],
  },
  {
    query: 'req.params.hasOwnProperty is not a function since the major upgrade',
    answers: [{ path: MIGRATION_V5, text: 'In v4, the `parameters` object had a prototype. This is no longer the case in v5.', to: 'pollution attacks.' }],
  },
  {
    query: 'request.hostname lost the port number after upgrading',
    answers: [{ path: MIGRATION_V5, text: 'In Fastify v4, `req.hostname` would include both the hostname and the', to: 'and `req.port` contains just the port number.' }],
  },
  {
    query: 'a plugin declared async that still takes and calls the completion callback fails to register after upgrading',
    answers: [
      { path: MIGRATION_V5, text: 'In v4, plugins could mix the callback and promise API, leading to unexpected behavior.', to: 'fastify.register(function (instance, opts, done) {' },
      { path: ERRORS, text: 'The plugin being registered mixes async and callback styles.' },
      { path: 'Reference/Warnings.md', text: 'plugin mixes async and callback styles, which may lead to unhandled rejections.' },
    ],
  },
  {
    query: 'timestamps without a timezone started failing validation after the upgrade',
    answers: [{ path: MIGRATION_V5, text: 'The updated AJV compiler updates `ajv-formats` which now', to: 'which support an optional timezone for backwards compatibility.' }],
  },

  // Guides/Detecting-When-Clients-Abort.md
  {
    query: 'log a message when a user cancels a slow request before the response is ready',
    answers: [
      { path: ABORT, text: "app.addHook('onRequest', async (request, reply) => {", to: '- Logging that occurs when the closed request property `aborted` is true.' },
      { path: HOOKS, text: 'The `onRequestAbort` hook is executed when a client closes the connection before', to: 'data to the client.' },
    ],
  },
  {
    query: 'why not check request.raw.destroyed to know that the caller hung up?',
    answers: [{ path: ABORT, text: 'Whilst the `aborted` property has been deprecated, `destroyed` is not a', to: 'when a client intentionally aborts a request.' }],
  },
  {
    query: 'my clientErrorHandler never fires when a browser disconnects in the middle of a request',
    answers: [
      { path: ABORT, text: "Keep in mind, Fastify's `clientErrorHandler` is not designed to detect when a", to: 'error on the socket and the `clientErrorHandler` will not be triggered.' },
      { path: ABORT, text: 'The `clientErrorHandler`, either by default or with custom', to: 'client aborts a request.' },
    ],
  },

  // Guides/Delay-Accepting-Requests.md
  {
    query: 'refuse customer traffic with a 503 and a retry hint until a key from an external provider arrives, while the webhook stays reachable',
    answers: [{ path: DELAY, text: "`delay` is not a plugin itself. It's actually a plugin *factory*. It expects a", to: 'header with the time in milliseconds the client should wait before retrying.' }],
  },
  {
    query: 'kick off a task the moment the server starts accepting connections, without putting it in the listen callback',
    answers: [
      { path: DELAY, text: 'As soon as the server starts listening (very similar behavior to adding a piece', to: 'our provider as soon as possible, with the `doMagic` function.' },
      { path: HOOKS, text: 'Triggered when the server starts listening for requests. The hooks run one', to: "This is an alternative to `fastify.server.on('listening', () => {})`." },
    ],
  },
  {
    query: 'my gatekeeping onRequest hook ended up applying to every route instead of only the wrapped group',
    answers: [{ path: DELAY, text: "It's noteworthy that we didn't use the `fastify-plugin` wrapper in the `delay`", to: 'subject refer to [Plugins](../Reference/Plugins.md#handle-the-scope).' }],
  },

  // Guides/Benchmarking.md, Recommendations.md, Prototype-Poisoning.md and the smaller guides
  {
    query: 'measure whether my branch made the server slower than main',
    answers: [{ path: 'Guides/Benchmarking.md', text: '### Compare current branch with main (Gitflow)', to: '```sh npm run bench ```' }],
  },
  {
    query: 'the Node process sees ECONNRESET now and then when traffic comes through HAProxy',
    answers: [{ path: RECOMMENDATIONS, text: 'The following option makes haproxy close connections to backend servers', to: 'option http-server-close' }],
  },
  {
    query: 'which headers should nginx set so the backend learns the original client address and scheme?',
    answers: [{ path: RECOMMENDATIONS, text: '# This section matches all paths and proxies it to the backend server', to: 'proxy_set_header X-Forwarded-Proto $scheme;' }],
  },
  {
    query: 'is rejecting JSON that carries the dangerous key slower than stripping it, and can attackers exploit the cost?',
    answers: [{ path: POISONING, text: 'The performance benchmarks confirmed that the "happy path" was practically', to: 'to note and measure but not actually harmful.' }],
  },
  {
    query: 'why was no CVE published against older releases of the framework?',
    answers: [{ path: POISONING, text: 'The first question people ask once a security issue is found is if there is', to: 'As of this writing, it is still being debated.' }],
  },
  {
    query: 'automatically rewrite my code for the upgrade from v3 to v4',
    answers: [{ path: 'Guides/Migration-Guide-V4.md', text: "To help with the upgrade, we've worked with the team at", to: '- fastify/4/await-register-calls' }],
  },
  {
    query: 'build route schemas with a chainable builder instead of writing JSON objects by hand',
    answers: [{ path: 'Guides/Fluent-Schema.md', text: '[`fluent-json-schema`](https://github.com/fastify/fluent-json-schema) can be', to: ".prop('notTypeKey', S.not(S.array()))" }],
  },
  {
    query: 'my custom type provider is not assignable where the default provider is expected',
    answers: [{ path: 'Guides/Write-Type-Provider.md', text: 'Whereas exhaustive type narrowing checks normally rely on `never` to represent', to: 'substitutable with `FastifyTypeProviderDefault`.' }],
  },
];
