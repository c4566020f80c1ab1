// VelocityRunner renders a corpus of templates with Apache Velocity 1.7 so
// that the Go differential test can compare Gantry's VTL engine against the
// reference implementation. It is compiled with javac at test time.
//
// Input (stdin): one JSON object per line:
//   {"name": "...", "template": "...", "context": {...}}
// Output (stdout): one JSON object per line:
//   {"name": "...", "out": "...", "err": "..."}
//
// With the argument "bench N", the first input line is rendered N times after
// a warm-up and the runner prints "ns/op <number>".
//
// The context is decoded with a tiny JSON parser: objects become
// LinkedHashMap, arrays ArrayList, integers Integer (or Long when they do not
// fit), decimals Double. The key "input" gets a small stand-in for API
// Gateway's $input (path/json over simple "$.a.b" paths) for the benchmark.

import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.*;

import org.apache.velocity.Template;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.runtime.RuntimeInstance;
import org.apache.velocity.runtime.parser.node.SimpleNode;

public class VelocityRunner {

    public static void main(String[] args) throws Exception {
        RuntimeInstance ri = new RuntimeInstance();
        ri.setProperty("runtime.log.logsystem.class", "org.apache.velocity.runtime.log.NullLogChute");
        ri.setProperty("velocimacro.permissions.allow.inline.local.scope", "true");
        ri.init();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, "UTF-8");

        if (args.length == 2 && args[0].equals("bench")) {
            int n = Integer.parseInt(args[1]);
            Map<String, Object> c = (Map<String, Object>) new Json(in.readLine()).value();
            String tpl = (String) c.get("template");
            Map<String, Object> ctxMap = (Map<String, Object>) c.get("context");
            // The body is kept as a string and parsed on every iteration, as
            // each API Gateway request must.
            String bodyText = (String) ctxMap.get("body");
            Map<String, Object> params = (Map<String, Object>) ctxMap.get("params");
            Map<String, Object> apiCtx = (Map<String, Object>) ctxMap.get("context");
            SimpleNode node = ri.parse(new StringReader(tpl), "bench");
            Template t = new Template();
            t.setRuntimeServices(ri);
            t.setData(node);
            t.initDocument();
            int warm = n;
            long start = 0;
            for (int i = 0; i < warm + n; i++) {
                if (i == warm) start = System.nanoTime();
                VelocityContext ctx = new VelocityContext();
                ctx.put("input", new Input(new Json(bodyText).value(), params));
                ctx.put("util", new Util());
                ctx.put("context", apiCtx);
                StringWriter w = new StringWriter();
                t.merge(ctx, w);
            }
            long el = System.nanoTime() - start;
            out.println("ns/op " + (el / n));
            out.flush();
            return;
        }

        String line;
        while ((line = in.readLine()) != null) {
            if (line.isEmpty()) continue;
            Map<String, Object> c = (Map<String, Object>) new Json(line).value();
            String name = (String) c.get("name");
            String tpl = (String) c.get("template");
            Map<String, Object> ctxMap = (Map<String, Object>) c.get("context");
            String result = "";
            String err = "";
            try {
                VelocityContext ctx = new VelocityContext();
                if (ctxMap != null) {
                    for (Map.Entry<String, Object> e : ctxMap.entrySet()) {
                        if (e.getValue() != null) ctx.put(e.getKey(), e.getValue());
                    }
                }
                SimpleNode node = ri.parse(new StringReader(tpl), name);
                Template t = new Template();
                t.setRuntimeServices(ri);
                t.setName(name);
                t.setData(node);
                t.initDocument();
                StringWriter w = new StringWriter();
                t.merge(ctx, w);
                result = w.toString();
            } catch (Throwable e) {
                err = e.getClass().getSimpleName();
            }
            StringBuilder sb = new StringBuilder();
            sb.append("{\"name\":");
            quote(sb, name);
            sb.append(",\"out\":");
            quote(sb, result);
            sb.append(",\"err\":");
            quote(sb, err);
            sb.append("}");
            out.println(sb);
        }
        out.flush();
    }

    static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"' || ch == '\\') {
                sb.append('\\').append(ch);
            } else if (ch < 0x20 || ch > 0x7e) {
                sb.append(String.format("\\u%04x", (int) ch));
            } else {
                sb.append(ch);
            }
        }
        sb.append('"');
    }

    /** Util is a stand-in for API Gateway's $util used by the benchmark. */
    public static class Util {
        public String escapeJavaScript(String s) {
            return org.apache.commons.lang.StringEscapeUtils.escapeJavaScript(s);
        }
    }

    /** Input is a minimal stand-in for API Gateway's $input used by the benchmark. */
    public static class Input {
        private final Object root;
        private final Map<String, Object> params;

        public Input(Object root, Map<String, Object> params) {
            this.root = root;
            this.params = params;
        }

        public Object params(String name) {
            Object v = params == null ? null : params.get(name);
            return v == null ? "" : v;
        }

        public Object path(String p) {
            Object cur = root;
            if (p.equals("$")) return cur;
            for (String part : p.substring(2).split("\\.")) {
                if (!(cur instanceof Map)) return null;
                cur = ((Map) cur).get(part);
            }
            return cur;
        }

        public String json(String p) {
            StringBuilder sb = new StringBuilder();
            write(sb, path(p));
            return sb.toString();
        }

        static void write(StringBuilder sb, Object v) {
            if (v == null) {
                sb.append("null");
            } else if (v instanceof String) {
                quote(sb, (String) v);
            } else if (v instanceof Map) {
                sb.append('{');
                boolean first = true;
                for (Object o : ((Map) v).entrySet()) {
                    Map.Entry e = (Map.Entry) o;
                    if (!first) sb.append(',');
                    first = false;
                    quote(sb, (String) e.getKey());
                    sb.append(':');
                    write(sb, e.getValue());
                }
                sb.append('}');
            } else if (v instanceof List) {
                sb.append('[');
                boolean first = true;
                for (Object o : (List) v) {
                    if (!first) sb.append(',');
                    first = false;
                    write(sb, o);
                }
                sb.append(']');
            } else {
                sb.append(v.toString());
            }
        }
    }

    /** Json is a tiny JSON parser producing Java collections. */
    static class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object value() {
            ws();
            char c = s.charAt(i);
            if (c == '{') {
                i++;
                Map<String, Object> m = new LinkedHashMap<String, Object>();
                ws();
                if (s.charAt(i) == '}') {
                    i++;
                    return m;
                }
                while (true) {
                    ws();
                    String k = (String) value();
                    ws();
                    i++; // ':'
                    Object v = value();
                    m.put(k, v);
                    ws();
                    if (s.charAt(i++) == '}') return m;
                }
            }
            if (c == '[') {
                i++;
                List<Object> l = new ArrayList<Object>();
                ws();
                if (s.charAt(i) == ']') {
                    i++;
                    return l;
                }
                while (true) {
                    l.add(value());
                    ws();
                    if (s.charAt(i++) == ']') return l;
                }
            }
            if (c == '"') {
                i++;
                StringBuilder sb = new StringBuilder();
                while (true) {
                    char ch = s.charAt(i++);
                    if (ch == '"') return sb.toString();
                    if (ch == '\\') {
                        char e = s.charAt(i++);
                        switch (e) {
                            case 'n': sb.append('\n'); break;
                            case 't': sb.append('\t'); break;
                            case 'r': sb.append('\r'); break;
                            case 'b': sb.append('\b'); break;
                            case 'f': sb.append('\f'); break;
                            case 'u':
                                sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                                i += 4;
                                break;
                            default: sb.append(e);
                        }
                    } else {
                        sb.append(ch);
                    }
                }
            }
            if (s.startsWith("true", i)) {
                i += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("false", i)) {
                i += 5;
                return Boolean.FALSE;
            }
            if (s.startsWith("null", i)) {
                i += 4;
                return null;
            }
            int st = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            String num = s.substring(st, i);
            if (num.indexOf('.') >= 0 || num.indexOf('e') >= 0 || num.indexOf('E') >= 0) {
                return Double.valueOf(num);
            }
            long l = Long.parseLong(num);
            if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) return Integer.valueOf((int) l);
            return Long.valueOf(l);
        }

        void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }
    }
}
