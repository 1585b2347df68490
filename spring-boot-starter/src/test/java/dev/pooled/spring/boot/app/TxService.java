package dev.pooled.spring.boot.app;

import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;

/** Transactional methods whose effects the tests look at from the database's side. */
@Service
public class TxService {
    private final JdbcTemplate jdbc;
    private final JdbcTemplate reporting;
    private final ItemRepository items;

    public TxService(JdbcTemplate jdbc, @Qualifier("reporting") JdbcTemplate reporting, ItemRepository items) {
        this.jdbc = jdbc;
        this.reporting = reporting;
        this.items = items;
    }

    /** Saves through JPA and JDBC, then fails: both must roll back. */
    @Transactional
    public void saveThenFail(String name) {
        items.save(new Item(name));
        items.flush();
        jdbc.update("insert into h6_boot_item(name) values (?)", name);
        throw new IllegalStateException("rolled back on purpose");
    }

    /** @return the backend pid of each statement and the transaction's isolation and read-only state */
    @Transactional(readOnly = true, isolation = Isolation.SERIALIZABLE)
    public List<String> observeReadOnlySerializable() {
        return observe();
    }

    /** @return the same, in a read-write, read-committed transaction */
    @Transactional(isolation = Isolation.READ_COMMITTED)
    public List<String> observeReadWrite() {
        return observe();
    }

    private List<String> observe() {
        List<String> out = new ArrayList<>();
        out.add(String.valueOf(jdbc.queryForObject("select pg_backend_pid()", Integer.class)));
        items.findByName("nobody-" + System.nanoTime());
        out.add(String.valueOf(jdbc.queryForObject("select pg_backend_pid()", Integer.class)));
        out.add(jdbc.queryForObject("select current_setting('transaction_isolation')", String.class));
        out.add(jdbc.queryForObject("select current_setting('transaction_read_only')", String.class));
        out.add(String.valueOf(jdbc.queryForObject("select pg_backend_pid()", Integer.class)));
        return out;
    }

    /** Inserts into MariaDB, then fails: the insert must roll back ({@code DataSourceTransactionManager}). */
    @Transactional("reportingTransactionManager")
    public void reportThenFail(String table, String name) {
        reporting.update("insert into " + table + "(name) values (?)", name);
        throw new IllegalStateException("rolled back on purpose");
    }
}
