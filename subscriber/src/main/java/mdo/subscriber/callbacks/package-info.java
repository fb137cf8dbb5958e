/**
 * Callback registrations and their delivery: containers register a URL for a service's membership changes
 * ({@code POST /v1/callbacks}); the subscriber stores it in etcd, watches the registry, and POSTs signed notifications
 * ({@link mdo.guestutils.CallbackSignature}).
 *
 * <p>Wiring into the subscriber (the whole of it):
 *
 * <pre>{@code
 * CallbackSettings settings = CallbackSettings.defaults()
 *     .withToken(config.token())                          // the admin token; null = callers on this host are admin
 *     .withRegistrationSecret(config.registrationSecret()) // tasks present their service's token derived from it
 *     .withAllowlist(config.callbackAllowlist());         // CIDRs (needed for private addresses) and host names
 * CallbackService callbacks = new CallbackService(etcdClient, environment, settings, prometheusRegistry);
 * Javalin app = Javalin.create(cfg -> {
 *   callbacks.routes(cfg);                           // POST/GET /v1/callbacks, DELETE /v1/callbacks/{service}/{id}
 *   // ... the subscriber's own routes
 * });
 * callbacks.start();                                 // loads registrations; watches etcd itself while there are any
 * // on shutdown: callbacks.close();  for /health: callbacks.registrations()
 * }</pre>
 *
 * <p>It shares the subscriber's jetcd {@code Client} but not its lifecycle: it never closes the client.
 */
package mdo.subscriber.callbacks;
