package dev.pooled.etcd.internal;

import dev.pooled.PoolConfigException;
import dev.pooled.etcd.ConfigRecord;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A staged candidate, the JSON object at {@code <ns>/pooled/v1/rollout/<service>/<db_role>}:
 * {@code {"percent": 50, "record": {...}, "base_version": 41}}. Instances whose {@code InstanceId#bucket()} is below
 * {@code percent} run {@code record}; the others keep the record at the config key. {@code base_version} is the
 * config key's mod revision when the candidate was staged (promote refuses if the config changed meanwhile).
 *
 * @param percent 0 to 100
 * @param recordJson the candidate record's JSON
 * @param baseVersion the config key's mod revision when staged; 0 if there was no record
 */
public record Rollout(int percent, String recordJson, long baseVersion) {

    /**
     * @param json the rollout key's value
     * @return the rollout
     * @throws ConfigRecord.RecordException if it is not a rollout object
     */
    public static Rollout parse(String json) throws ConfigRecord.RecordException {
        Object doc;
        try {
            doc = Json.parse(json);
        } catch (Json.ParseException e) {
            throw RecordErrors.of(ConfigRecord.Reason.BAD_JSON, "rollout", null, "is not valid JSON: " + e.getMessage());
        }
        if (!(doc instanceof Map<?, ?> m) || !(m.get("percent") instanceof BigInteger p)
                || !(m.get("record") instanceof Map<?, ?> rec) || !(m.get("base_version") instanceof BigInteger base)
                || m.size() != 3) {
            throw RecordErrors.of(ConfigRecord.Reason.BAD_JSON, "rollout", null,
                    "must be {\"percent\": 0-100, \"record\": {...}, \"base_version\": n}");
        }
        if (p.signum() < 0 || p.compareTo(BigInteger.valueOf(100)) > 0) {
            throw RecordErrors.of(ConfigRecord.Reason.OUT_OF_RANGE, "percent", p.toString(),
                    "must be a whole number from 0 to 100");
        }
        return new Rollout(p.intValue(), Json.write(rec, false), base.longValue());
    }

    /** @return the rollout as JSON */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("percent", percent);
        try {
            m.put("record", Json.parse(recordJson));
        } catch (Json.ParseException e) {
            throw new IllegalStateException("a staged record must be valid JSON", e);
        }
        m.put("base_version", baseVersion);
        return Json.write(m, false);
    }

    /** Builds {@link ConfigRecord.RecordException}s from outside {@code ConfigRecord}'s package. */
    public static final class RecordErrors {
        private RecordErrors() {
        }

        /** @return an exception with one violation */
        public static ConfigRecord.RecordException of(ConfigRecord.Reason reason, String key, String value,
                String rule) {
            return ConfigRecord.recordException(reason, List.of(new PoolConfigException.Violation(key, value, rule)));
        }
    }
}
