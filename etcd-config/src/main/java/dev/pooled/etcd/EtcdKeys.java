package dev.pooled.etcd;

import java.util.regex.Pattern;

/**
 * The key layout of this library in etcd, under an optional namespace ({@link EtcdSettings#NAMESPACE}):
 *
 * <pre>
 * &lt;ns&gt;/pooled/v1/config/&lt;service&gt;/&lt;db_role&gt;            the record every instance runs (JSON)
 * &lt;ns&gt;/pooled/v1/rollout/&lt;service&gt;/&lt;db_role&gt;           a staged candidate and its percentage (JSON)
 * &lt;ns&gt;/pooled/v1/history/&lt;service&gt;/&lt;db_role&gt;/&lt;rev&gt;     records replaced by set/promote, newest last
 * &lt;ns&gt;/pooled/v1/instances/&lt;service&gt;/&lt;instance_id&gt;     lease-bound report of one running instance (JSON)
 * &lt;ns&gt;/pooled/v1/budgets/&lt;budget&gt;/...                    the fleet-wide budget (budget section of docs/etcd.md)
 * </pre>
 *
 * Segments are the pool's names ({@code service}, {@code db_role}, {@code instance_id}), which allow no {@code /}.
 * Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class EtcdKeys {
    /** The layout version; a change of layout gets a new one, so old and new instances never misread a key. */
    public static final String VERSION_ROOT = "/pooled/v1";
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._@+-]{1,128}");

    private final String root;

    /** @param namespace empty, or a prefix such as {@code /team-a} */
    public EtcdKeys(String namespace) {
        this.root = (namespace == null ? "" : namespace) + VERSION_ROOT;
    }

    /** @return {@code <ns>/pooled/v1} */
    public String root() {
        return root;
    }

    /** @return the record key of a pool */
    public String config(String service, String dbRole) {
        return root + "/config/" + segment(service) + "/" + segment(dbRole);
    }

    /** @return the prefix of every record key (ends with {@code /}) */
    public String configPrefix() {
        return root + "/config/";
    }

    /** @return the staged-rollout key of a pool */
    public String rollout(String service, String dbRole) {
        return root + "/rollout/" + segment(service) + "/" + segment(dbRole);
    }

    /** @return the prefix of a pool's history entries (ends with {@code /}) */
    public String historyPrefix(String service, String dbRole) {
        return root + "/history/" + segment(service) + "/" + segment(dbRole) + "/";
    }

    /**
     * @param modRevision the etcd mod revision the replaced record had
     * @return a history key; zero-padded so that keys sort by revision
     */
    public String history(String service, String dbRole, long modRevision) {
        return historyPrefix(service, dbRole) + String.format("%020d", modRevision);
    }

    /** @return the prefix of a service's instance keys (ends with {@code /}) */
    public String instancesPrefix(String service) {
        return root + "/instances/" + segment(service) + "/";
    }

    /** @return the lease-bound key of one instance of a service */
    public String instance(String service, String instanceId) {
        return instancesPrefix(service) + segment(instanceId);
    }

    /** @return the prefix under which the budget named {@code budget} keeps its keys (ends with {@code /}) */
    public String budgetPrefix(String budget) {
        return root + "/budgets/" + segment(budget) + "/";
    }

    private static String segment(String s) {
        if (s == null || !SEGMENT.matcher(s).matches()) {
            throw new IllegalArgumentException("'" + s + "' cannot be an etcd key segment: it must be 1 to 128"
                    + " characters from A-Z a-z 0-9 . _ @ + -");
        }
        return s;
    }

    @Override
    public String toString() {
        return "EtcdKeys[" + root + "]";
    }
}
