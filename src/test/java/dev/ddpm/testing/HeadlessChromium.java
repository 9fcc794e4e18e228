package dev.ddpm.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real browser for tests: Debian's {@code chromium} started headless, driven over the DevTools
 * protocol on a loopback port with the JDK's own WebSocket client. It opens a page, collects what
 * the page reports as errors (console errors, uncaught exceptions, failed loads), evaluates
 * expressions in it and takes screenshots.
 */
public final class HeadlessChromium implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<String> errors = new ArrayList<>();
    private volatile CompletableFuture<Void> loaded = new CompletableFuture<>();

    /** The browser binary on the PATH, if there is one. */
    public static Optional<Path> binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Starts the browser with an empty profile in {@code profile}, its window {@code width} wide.
     */
    public HeadlessChromium(Path binary, Path profile, int width, int height) throws Exception {
        process =
                new ProcessBuilder(
                                binary.toString(),
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--no-first-run",
                                "--hide-scrollbars",
                                "--remote-debugging-port=0",
                                "--remote-allow-origins=*",
                                "--user-data-dir=" + profile,
                                "--window-size=" + width + "," + height,
                                "about:blank")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
        try {
            socket = connect();
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
        call("Page.enable", Map.of());
        call("Runtime.enable", Map.of());
        call("Log.enable", Map.of());
    }

    /** Connects to the page chromium opened. */
    private WebSocket connect() throws Exception {
        URI endpoint = URI.create(devToolsUrl());
        HttpClient http = HttpClient.newHttpClient();
        String list =
                http.send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "http://"
                                                                + endpoint.getAuthority()
                                                                + "/json/list"))
                                        .timeout(TIMEOUT)
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
        String page = null;
        for (JsonNode target : JSON.readTree(list)) {
            if ("page".equals(target.path("type").asText())) {
                page = target.get("webSocketDebuggerUrl").asText();
                break;
            }
        }
        if (page == null) {
            throw new IOException("chromium opened no page: " + list);
        }
        return http.newWebSocketBuilder()
                .buildAsync(URI.create(page), new Listener())
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Reads chromium's standard error until it names its DevTools endpoint. */
    private String devToolsUrl() throws IOException {
        BufferedReader err =
                new BufferedReader(
                        new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = err.readLine()) != null; ) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                // keep draining, or chromium blocks once the pipe is full
                Thread drain = new Thread(() -> err.lines().forEach(l -> {}));
                drain.setDaemon(true);
                drain.start();
                return m.group(1);
            }
            seen.append(line).append('\n');
        }
        throw new IOException("chromium ended without a DevTools endpoint:\n" + seen);
    }

    /** Opens {@code file} and waits until it has loaded (with its images). */
    public void open(Path file) throws Exception {
        loaded = new CompletableFuture<>();
        call("Page.navigate", Map.of("url", file.toAbsolutePath().toUri().toString()));
        loaded.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** What the page reported as errors since it was opened, one line each. */
    public synchronized List<String> errors() {
        return List.copyOf(errors);
    }

    /** The value of a JavaScript expression in the page (JSON-serialisable). */
    public JsonNode evaluate(String expression) throws Exception {
        JsonNode result =
                call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("evaluation failed: " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** A PNG of the whole page, as wide as the window. */
    public byte[] screenshot() throws Exception {
        JsonNode metrics = call("Page.getLayoutMetrics", Map.of());
        JsonNode size = metrics.path("cssContentSize");
        double width = size.path("width").asDouble();
        double height = size.path("height").asDouble();
        JsonNode shot =
                call(
                        "Page.captureScreenshot",
                        Map.of(
                                "format",
                                "png",
                                "captureBeyondViewport",
                                true,
                                "clip",
                                Map.of(
                                        "x", 0, "y", 0, "width", width, "height", height, "scale",
                                        1)));
        return Base64.getDecoder().decode(shot.get("data").asText());
    }

    private JsonNode call(String method, Map<String, ?> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode message = JSON.createObjectNode();
        message.put("id", id);
        message.put("method", method);
        message.set("params", JSON.valueToTree(params));
        socket.sendText(JSON.writeValueAsString(message), true).get();
        JsonNode reply = answer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (reply.has("error")) {
            throw new IllegalStateException(method + " failed: " + reply.get("error"));
        }
        return reply.path("result");
    }

    private synchronized void onEvent(String method, JsonNode params) {
        switch (method) {
            case "Page.loadEventFired" -> loaded.complete(null);
            case "Runtime.exceptionThrown" ->
                    errors.add(
                            "exception: " + params.path("exceptionDetails").path("text").asText());
            case "Runtime.consoleAPICalled" -> {
                if ("error".equals(params.path("type").asText())) {
                    errors.add("console.error: " + params.path("args"));
                }
            }
            case "Log.entryAdded" -> {
                JsonNode entry = params.path("entry");
                if ("error".equals(entry.path("level").asText())) {
                    errors.add(
                            entry.path("source").asText()
                                    + ": "
                                    + entry.path("text").asText()
                                    + " "
                                    + entry.path("url").asText());
                }
            }
            default -> {}
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder frame = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            frame.append(data);
            if (last) {
                try {
                    JsonNode message = JSON.readTree(frame.toString());
                    if (message.has("id")) {
                        CompletableFuture<JsonNode> answer =
                                pending.remove(message.get("id").asInt());
                        if (answer != null) {
                            answer.complete(message);
                        }
                    } else {
                        onEvent(message.path("method").asText(), message.path("params"));
                    }
                } catch (IOException e) {
                    synchronized (HeadlessChromium.this) {
                        errors.add("unreadable DevTools message: " + e.getMessage());
                    }
                }
                frame.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.abort();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        try (Stream<ProcessHandle> children = process.descendants()) {
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
