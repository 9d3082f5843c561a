// The Redis-session variant for load-tests/run-peers.sh: the same loopback HTTP front as the
// sidecar, but every request is answered by a lookup in a central session store.
//
//   java -cp target/jwt-sidecar.jar load-tests/peer/RedisSessionServer.java HTTP_PORT REDIS_PORT [INSTANCES]
//
// GET /session with "Authorization: Bearer <session id>": Redis GET of the id; 200 with the stored
// value as body when present, 401 when absent or without a bearer value. One HTTP server instance per
// event loop (as the sidecar deploys its API), each with its own Redis connection on which requests
// are pipelined: replies come back in order, so a FIFO of pending requests matches them up.
// Uses only what the shaded sidecar jar already holds (Vert.x core): no new dependency.

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

public class RedisSessionServer {
    public static void main(String[] args) throws Exception {
        int httpPort = Integer.parseInt(args[0]);
        int redisPort = Integer.parseInt(args[1]);
        int instances = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        Vertx vertx = Vertx.vertx();
        vertx.deployVerticle(() -> new Front(httpPort, redisPort), new DeploymentOptions().setInstances(instances))
                .toCompletionStage().toCompletableFuture().get();
        System.out.println("redis-session peer listening on 127.0.0.1:" + httpPort + " (" + instances + " instances)");
    }

    static final class Front extends VerticleBase {
        private final int httpPort;
        private final int redisPort;
        private final ArrayDeque<Promise<Buffer>> pending = new ArrayDeque<>();
        private Buffer inbox = Buffer.buffer();
        private NetClient client;
        private NetSocket redis;

        Front(int httpPort, int redisPort) {
            this.httpPort = httpPort;
            this.redisPort = redisPort;
        }

        @Override
        public Future<?> start() {
            // Held in a field: Vert.x closes a NetClient that becomes unreachable, connections and
            // all, at the next garbage collection (it did, ~30 s into a load run).
            client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
            return client.connect(redisPort, "127.0.0.1").compose(socket -> {
                redis = socket;
                socket.handler(this::received);
                socket.closeHandler(v -> {
                    // No silent hang: every waiting request gets a 503 and the front stops.
                    System.err.println("redis connection closed with " + pending.size() + " requests waiting");
                    for (Promise<Buffer> p = pending.poll(); p != null; p = pending.poll()) p.fail("redis connection closed");
                    redis = null;
                });
                return vertx.createHttpServer().requestHandler(this::handle).listen(httpPort, "127.0.0.1");
            });
        }

        private void handle(HttpServerRequest req) {
            String auth = req.getHeader("Authorization");
            if (!"/session".equals(req.path()) || auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)
                    || auth.length() == 7) {
                req.response().setStatusCode(auth == null ? 401 : 400).end();
                return;
            }
            if (redis == null) {
                req.response().setStatusCode(503).end();
                return;
            }
            byte[] key = auth.substring(7).trim().getBytes(StandardCharsets.UTF_8);
            Buffer cmd = Buffer.buffer(key.length + 32).appendString("*2\r\n$3\r\nGET\r\n$")
                    .appendString(Integer.toString(key.length)).appendString("\r\n").appendBytes(key)
                    .appendString("\r\n");
            Promise<Buffer> reply = Promise.promise();
            pending.add(reply);
            redis.write(cmd);
            reply.future().onComplete(ar -> {
                if (ar.failed()) {
                    req.response().setStatusCode(503).end();
                } else if (ar.result() == null) {
                    req.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"")
                            .end();
                } else {
                    req.response().putHeader("Content-Type", "application/json").end(ar.result());
                }
            });
        }

        /** RESP replies to GET: bulk string ($n, $-1 for nil) or an error (-...). */
        private void received(Buffer data) {
            inbox.appendBuffer(data); // a copy: the socket may reuse the buffer it handed over
            int pos = 0;
            while (pos < inbox.length()) {
                int eol = lineEnd(inbox, pos);
                if (eol < 0) {
                    break;
                }
                char type = (char) inbox.getByte(pos);
                String head = inbox.getString(pos + 1, eol);
                if (type == '$') {
                    int n = Integer.parseInt(head);
                    if (n < 0) {
                        pos = eol + 2;
                        pending.poll().complete(null);
                        continue;
                    }
                    if (inbox.length() < eol + 2 + n + 2) {
                        break;
                    }
                    Buffer value = inbox.getBuffer(eol + 2, eol + 2 + n);
                    pos = eol + 2 + n + 2;
                    pending.poll().complete(value);
                } else {
                    pos = eol + 2;
                    pending.poll().fail(type + head);
                }
            }
            inbox = pos == inbox.length() ? Buffer.buffer() : inbox.getBuffer(pos, inbox.length());
        }

        private static int lineEnd(Buffer b, int from) {
            for (int i = from; i + 1 < b.length(); i++) {
                if (b.getByte(i) == '\r' && b.getByte(i + 1) == '\n') {
                    return i;
                }
            }
            return -1;
        }
    }
}
