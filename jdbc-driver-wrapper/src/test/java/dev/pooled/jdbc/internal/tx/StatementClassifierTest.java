package dev.pooled.jdbc.internal.tx;

import static dev.pooled.jdbc.internal.tx.StatementClassifier.DIRTY;
import static dev.pooled.jdbc.internal.tx.StatementClassifier.NONE;
import static dev.pooled.jdbc.internal.tx.StatementClassifier.TX_BEGIN;
import static dev.pooled.jdbc.internal.tx.StatementClassifier.TX_END;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pooled.jdbc.PinReason;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(10)
class StatementClassifierTest {

    private static String pg(String sql) {
        return describe(StatementClassifier.classify(sql, Dialect.POSTGRESQL));
    }

    private static String my(String sql) {
        return describe(StatementClassifier.classify(sql, Dialect.MYSQL));
    }

    /** pin reason tag, or dirty / begin / end / none */
    private static String describe(int c) {
        PinReason r = StatementClassifier.pinReason(c);
        if (r != null) {
            return r.tag();
        }
        if ((c & DIRTY) != 0) {
            return "dirty";
        }
        if ((c & TX_BEGIN) != 0) {
            return "begin";
        }
        if ((c & TX_END) != 0) {
            return "end";
        }
        return "none";
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', textBlock = """
            select 1                                                          | none
            SELECT * FROM t WHERE id = ?                                      | none
            insert into t values (1) returning id                             | none
            update t set x = 1                                                | none
            UPDATE t SET search_path = 1                                      | none
            with a as (select 1) select * from a                              | none
            delete from t                                                     | none
            SET search_path = app, public                                     | session_setting
            set search_path to app                                            | session_setting
            SET SESSION statement_timeout = 1000                              | session_setting
            set session characteristics as transaction isolation level serializable | session_setting
            SET ROLE app_admin                                                | session_setting
            SET SESSION AUTHORIZATION app                                     | session_setting
            SET TIME ZONE 'UTC'                                               | session_setting
            set "search_path" = x                                             | session_setting
            SET LOCAL search_path = app                                       | none
            set local statement_timeout = 10                                  | none
            SET TRANSACTION ISOLATION LEVEL SERIALIZABLE                      | none
            SET CONSTRAINTS ALL DEFERRED                                      | none
            RESET search_path                                                 | none
            RESET ALL                                                         | none
            DISCARD ALL                                                       | none
            select set_config('search_path', 'app', false)                    | session_setting
            select pg_catalog.set_config('search_path', 'app', true)          | none
            select set_config('a', 'b', TRUE), 1                              | none
            select set_config('a', 'b', ?)                                    | session_setting
            select set_config('a', 'b', 1 = 1)                                | session_setting
            select set_config('a', (select 'b'), true)                        | none
            PREPARE q (int) AS SELECT $1                                      | prepared_statement
            prepare transaction 'tx1'                                         | end
            EXECUTE q (1)                                                     | none
            DEALLOCATE q                                                      | prepared_statement
            LISTEN jobs                                                       | listen
            UNLISTEN *                                                        | none
            NOTIFY jobs, 'x'                                                  | none
            CREATE TEMP TABLE t (x int)                                       | temporary_table
            create temporary table t as select 1                              | temporary_table
            CREATE GLOBAL TEMPORARY TABLE t (x int)                           | temporary_table
            CREATE LOCAL TEMP TABLE t (x int) ON COMMIT DELETE ROWS           | temporary_table
            CREATE TEMP TABLE t (x int) ON COMMIT DROP                        | none
            create temp table t on commit drop as select 1                    | none
            CREATE TEMP VIEW v AS SELECT 1                                    | temporary_table
            CREATE OR REPLACE TEMP VIEW v AS SELECT 1                         | temporary_table
            CREATE TEMPORARY SEQUENCE s                                       | temporary_table
            CREATE FUNCTION pg_temp.f() RETURNS int AS 'select 1' LANGUAGE sql | temporary_table
            CREATE TABLE t (x int)                                            | none
            CREATE UNLOGGED TABLE t (x int)                                   | none
            select * into temp t2 from t                                      | temporary_table
            SELECT * INTO TEMPORARY TABLE t2 FROM t                           | temporary_table
            select * into local temp t2 from t                                | temporary_table
            select * into t2 from t                                           | none
            select 1 as temp                                                  | none
            insert into temp values (1)                                       | none
            SELECT pg_advisory_lock(42)                                       | advisory_lock
            select pg_try_advisory_lock(1, 2)                                 | advisory_lock
            select PG_ADVISORY_LOCK_SHARED(1)                                 | advisory_lock
            select pg_try_advisory_lock_shared (1)                            | advisory_lock
            select pg_advisory_xact_lock(1)                                   | none
            SELECT "set_config"('search_path','x',false)                      | session_setting
            select pg_catalog."set_config"('a', 'b', true)                    | none
            select pg_catalog."pg_advisory_lock"(1)                           | advisory_lock
            select "pg_try_advisory_lock_shared" (1)                          | advisory_lock
            select "pg_advisory_lock" from t                                  | none
            select pg_try_advisory_xact_lock(1)                               | none
            select pg_advisory_unlock(1)                                      | none
            insert into t select pg_advisory_lock(id) from u                  | advisory_lock
            DECLARE c CURSOR WITH HOLD FOR SELECT 1                           | cursor_with_hold
            declare c no scroll cursor without hold for select 1              | none
            DECLARE c CURSOR FOR SELECT 1                                     | none
            LOAD 'auto_explain'                                               | load
            BEGIN                                                             | begin
            begin isolation level serializable                                | begin
            START TRANSACTION                                                 | begin
            COMMIT                                                            | end
            end                                                               | end
            abort                                                             | end
            ROLLBACK                                                          | end
            rollback to savepoint a                                           | none
            ROLLBACK TO a                                                     | none
            COMMIT PREPARED 'tx1'                                             | none
            COMMIT AND CHAIN                                                  | begin
            commit and no chain                                               | end
            CALL do_things(1)                                                 | dirty
            {call do_things(?)}                                               | dirty
            {? = call f(?)}                                                   | dirty
            DO $$ BEGIN PERFORM set_config('a','b',false); END $$             | dirty
            EXPLAIN SELECT 1                                                  | none
            explain analyze select pg_advisory_lock(1)                        | advisory_lock
            EXPLAIN (ANALYZE, BUFFERS) CREATE TEMP TABLE t AS SELECT 1        | temporary_table
            (select 1) union (select 2)                                       | none
            VACUUM t                                                          | none
            LOCK TABLE t IN EXCLUSIVE MODE                                    | none
            frobnicate the database                                           | other
            """)
    void postgresql(String sql, String expected) {
        assertThat(pg(sql)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', textBlock = """
            select 1                                                          | none
            SELECT * FROM t WHERE id = ? FOR UPDATE                           | none
            insert into t values (1) on duplicate key update x = values(x)    | none
            replace into t values (1)                                         | none
            update t set x = 1                                                | none
            SET @v = 1                                                        | user_variable
            set @`v` := 1                                                     | user_variable
            SET SESSION sql_mode = ''                                         | session_setting
            SET LOCAL sql_mode = ''                                           | session_setting
            set sql_mode = 'ANSI'                                             | session_setting
            SET @@session.time_zone = '+00:00'                                | session_setting
            SET @@time_zone = '+00:00'                                        | session_setting
            SET NAMES utf8mb4                                                 | session_setting
            SET CHARACTER SET utf8mb4                                         | session_setting
            SET TRANSACTION ISOLATION LEVEL SERIALIZABLE                      | session_setting
            SET autocommit = 0                                                | session_setting
            SET GLOBAL max_connections = 200                                  | none
            SET @@global.max_connections = 200                                | none
            SET GLOBAL max_connections = 200, @v = 1                          | user_variable
            set global a = 1, b = 2                                           | session_setting
            SET STATEMENT max_statement_time = 1 FOR SELECT 1                 | none
            SET PASSWORD = 'x'                                                | none
            select @v                                                         | user_variable
            select @v := count(*) from t                                      | user_variable
            SELECT x INTO @v FROM t                                           | user_variable
            select @@session.tx_isolation, @@version                          | none
            select 'me@example.com'                                           | none
            LOCK TABLES t WRITE                                               | table_lock
            lock table t read                                                 | table_lock
            UNLOCK TABLES                                                     | none
            FLUSH TABLES WITH READ LOCK                                       | table_lock
            FLUSH TABLES t FOR EXPORT                                         | table_lock
            FLUSH PRIVILEGES                                                  | none
            SELECT GET_LOCK('job', 10)                                        | advisory_lock
            do get_lock('job', 10)                                            | advisory_lock
            SELECT RELEASE_LOCK('job')                                        | none
            CREATE TEMPORARY TABLE t (x int)                                  | temporary_table
            create or replace temporary table t (x int)                       | temporary_table
            CREATE TABLE t (x int)                                            | none
            DROP TEMPORARY TABLE t                                            | none
            PREPARE s FROM 'select 1'                                         | prepared_statement
            EXECUTE s                                                         | none
            DEALLOCATE PREPARE s                                              | none
            USE other                                                         | default_database
            HANDLER t OPEN                                                    | other
            XA START 'x'                                                      | other
            BEGIN                                                             | begin
            begin work                                                        | begin
            START TRANSACTION READ ONLY                                       | begin
            BEGIN NOT ATOMIC SELECT 1; END                                    | dirty
            COMMIT                                                            | end
            ROLLBACK                                                          | end
            ROLLBACK TO SAVEPOINT a                                           | none
            COMMIT AND CHAIN                                                  | begin
            CALL p(1)                                                         | dirty
            LOAD DATA LOCAL INFILE 'x' INTO TABLE t                           | none
            SHOW VARIABLES                                                    | none
            frobnicate                                                        | other
            """)
    void mysql(String sql, String expected) {
        assertThat(my(sql)).isEqualTo(expected);
    }

    @Test
    void commentsAndCaseAreSkippedBeforeTheFirstKeyword() {
        assertThat(pg("  -- set search_path = x\n  /* SET x = 1 */ select 1")).isEqualTo("none");
        assertThat(pg("/* outer /* nested */ still comment; SET x = 1 */ SeLeCt 1")).isEqualTo("none");
        assertThat(pg("\t\n/* c */ sEt search_path = x")).isEqualTo("session_setting");
        assertThat(pg("-- comment\nLISTEN x")).isEqualTo("listen");
        assertThat(my("# set @v = 1\nselect 1")).isEqualTo("none");
        assertThat(my("-- set @v = 1\nselect 1")).isEqualTo("none");
        assertThat(my("/* a */ SET @v = 1")).isEqualTo("user_variable");
    }

    @Test
    void literalsNeverHideOrFakeAStatement() {
        assertThat(pg("select 'x; SET search_path = y'")).isEqualTo("none");
        assertThat(pg("select $$; LISTEN x; $$, $tag$ $$ ; set a = 1 $tag$")).isEqualTo("none");
        assertThat(pg("select \"set_config\", 'pg_advisory_lock(1)'")).isEqualTo("none");
        assertThat(pg("select E'it\\'s; set x = 1'")).isEqualTo("none");
        // standard_conforming_strings: the backslash does not escape, so the SET after the string is real
        assertThat(pg("select 'a\\'; SET search_path = evil; --'")).isEqualTo("session_setting");
        assertThat(pg("select 'it''s'; select 1")).isEqualTo("none");
        assertThat(pg("select $1, $2")).isEqualTo("none");
        assertThat(my("select 'it\\'s; SET @v = 1'")).isEqualTo("none");
        assertThat(my("select \"a\\\"; set @v = 1\"")).isEqualTo("none");
        assertThat(my("select `weird``name; set @v=1` from t")).isEqualTo("none");
        // MySQL runs the text of executable comments
        assertThat(my("/*!40101 SET NAMES utf8 */")).isEqualTo("session_setting");
        assertThat(my("select /*+ BKA(t) */ 1")).isEqualTo("none");
    }

    @Test
    void everyStatementOfAMultiStatementStringCounts() {
        assertThat(pg("select 1; set search_path = x")).isEqualTo("session_setting");
        assertThat(pg("select 1;; select 2;")).isEqualTo("none");
        assertThat(my("insert into t values (1); select @v")).isEqualTo("user_variable");
        assertThat(pg("BEGIN; UPDATE t SET x = 1; COMMIT")).isEqualTo("end");
        assertThat(pg("COMMIT; BEGIN")).isEqualTo("begin");
        assertThat(pg("call p(); begin")).isEqualTo("dirty");
        int c = StatementClassifier.classify("call p(); begin", Dialect.POSTGRESQL);
        assertThat(c & (DIRTY | TX_BEGIN)).isEqualTo(DIRTY | TX_BEGIN);
    }

    @Test
    void unreadableTextErrsTowardPinning() {
        assertThat(pg("select 'unterminated")).isEqualTo("other");
        assertThat(pg("select 1 /* unterminated")).isEqualTo("other");
        assertThat(pg("select $x$ unterminated")).isEqualTo("other");
        assertThat(pg("select set_config('a', 'b', true")).isEqualTo("session_setting");
        assertThat(my("select `unterminated")).isEqualTo("other");
        assertThat(pg("'literal first'")).isEqualTo("other");
        assertThat(pg("")).isEqualTo("none");
        assertThat(pg("  ;  -- nothing")).isEqualTo("none");
    }

    @Test
    void otherDatabasesGetBothRuleSets() {
        assertThat(describe(StatementClassifier.classify("SET @v = 1", Dialect.OTHER))).isEqualTo("session_setting");
        assertThat(describe(StatementClassifier.classify("LISTEN x", Dialect.OTHER))).isEqualTo("listen");
        assertThat(describe(StatementClassifier.classify("select 1", Dialect.OTHER))).isEqualTo("none");
        assertThat(Dialect.of("jdbc:postgresql://h/db")).isEqualTo(Dialect.POSTGRESQL);
        assertThat(Dialect.of("jdbc:mysql://h/db")).isEqualTo(Dialect.MYSQL);
        assertThat(Dialect.of("jdbc:mariadb://h/db")).isEqualTo(Dialect.MYSQL);
        assertThat(Dialect.of("jdbc:h2:mem:x")).isEqualTo(Dialect.OTHER);
    }

    @Test
    void plainStatementsAreClassifiedInAboutAMicrosecond() {
        String sql = "UPDATE accounts SET balance = balance + ? WHERE id = ? AND owner = 'x' -- note\n";
        int sink = 0;
        for (int i = 0; i < 200_000; i++) { // warm up
            sink += StatementClassifier.classify(sql, Dialect.POSTGRESQL);
        }
        long t0 = System.nanoTime();
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            sink += StatementClassifier.classify(sql, Dialect.POSTGRESQL);
        }
        long nanosEach = (System.nanoTime() - t0) / n;
        assertThat(sink).isEqualTo(NONE);
        // a generous bound (shared CI machines); measured ~0.1 µs on 2 vCPUs
        assertThat(nanosEach).isLessThan(TimeUnit.MICROSECONDS.toNanos(5));
    }
}
