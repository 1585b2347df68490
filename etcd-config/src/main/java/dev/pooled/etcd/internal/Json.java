package dev.pooled.etcd.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough JSON for records and reports, on Jackson's streaming parser (jackson-core, already on the class path
 * through jetcd's Vert.x; no data binding). Objects become {@link LinkedHashMap} in document order, arrays
 * {@link List}, integers {@link BigInteger}, other numbers {@link BigDecimal}; a duplicate key is an error (two
 * {@code max_connections} in one record would otherwise let the last one win silently).
 */
public final class Json {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Json() {
    }

    /** Thrown for text that is not one JSON value; the message names line and column, never the text. */
    public static final class ParseException extends Exception {
        private static final long serialVersionUID = 1L;

        ParseException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * @param text JSON text
     * @return the value
     * @throws ParseException if it is not exactly one JSON value
     */
    public static Object parse(String text) throws ParseException {
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new ParseException("empty document", null);
            }
            Object v = read(p, t);
            if (p.nextToken() != null) {
                throw new ParseException("more than one JSON value (at line " + p.currentLocation().getLineNr()
                        + ", column " + p.currentLocation().getColumnNr() + ")", null);
            }
            return v;
        } catch (JsonParseException e) {
            // Jackson's message quotes the offending text, which may hold a secret: keep only where it went wrong.
            String what = e.getOriginalMessage();
            int cut = what.indexOf(" (start marker");
            if (cut > 0) {
                what = what.substring(0, cut);
            }
            int nl = what.indexOf('\n');
            if (nl > 0) {
                what = what.substring(0, nl);
            }
            int quote = what.indexOf('\'');
            String reason = quote > 0 ? what.substring(0, quote).trim() : what;
            if (reason.startsWith("Duplicate field")) {
                reason = "duplicate field " + what.substring(quote).split("'")[1].replaceAll("[^A-Za-z0-9._-]", "?");
            }
            throw new ParseException(reason + " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr(), null);
        } catch (IOException e) {
            throw new ParseException("unreadable JSON: " + e.getClass().getSimpleName(), null);
        }
    }

    private static Object read(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (JsonToken n = p.nextToken(); n != JsonToken.END_OBJECT; n = p.nextToken()) {
                    String name = p.currentName();
                    m.put(name, read(p, p.nextToken()));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                for (JsonToken n = p.nextToken(); n != JsonToken.END_ARRAY; n = p.nextToken()) {
                    l.add(read(p, n));
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                return p.getBigIntegerValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDecimalValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new JsonParseException(p, "unexpected token");
        }
    }

    /**
     * @param value a {@link Map} (string keys), {@link List}, {@link CharSequence}, {@link Number}, {@link Boolean}
     *        or {@code null}, nested freely
     * @param pretty indent with two spaces
     * @return JSON text
     */
    public static String write(Object value, boolean pretty) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            if (pretty) {
                g.useDefaultPrettyPrinter();
            }
            write(g, value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof List<?> l) {
            g.writeStartArray();
            for (Object o : l) {
                write(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof BigDecimal d) {
            g.writeNumber(d);
        } else if (v instanceof BigInteger i) {
            g.writeNumber(i);
        } else if (v instanceof Double d) {
            g.writeNumber(d);
        } else if (v instanceof Float f) {
            g.writeNumber(f);
        } else if (v instanceof Number n) {
            g.writeNumber(n.longValue());
        } else {
            g.writeString(v.toString());
        }
    }
}
