package dev.pooled.jdbc.internal.tx;

import dev.pooled.jdbc.PinReason;

/**
 * Decides, from the text alone, whether a statement leaves session state behind (it pins), may have changed session
 * state where we cannot see it (it dirties: the connection is reset in full when it goes back), or begins or ends a
 * transaction in SQL. The rules are listed in {@code docs/transaction-mode.md}.
 *
 * <p>No parse: one left-to-right pass over the text that skips white space, comments, string literals, quoted
 * identifiers and PostgreSQL dollar-quoted bodies, looks at each statement's first keywords, and watches the rest for
 * a handful of function names and words. Every statement of a multi-statement string is classified. Text the
 * scanner cannot read to the end (an unterminated quote or comment) pins, with {@link PinReason#OTHER}, and so does a
 * statement whose first keyword is not known: unknown cases err toward pinning.
 *
 * <p>The result is an {@code int}: {@link #pinReason(int)} and the {@link #DIRTY}, {@link #TX_BEGIN} and
 * {@link #TX_END} bits. Allocates one small scanner per call. Thread-safe.
 */
public final class StatementClassifier {
    /** Neither pins nor dirties nor begins or ends a transaction. */
    public static final int NONE = 0;
    /** The low byte holds {@code PinReason.ordinal() + 1}, or 0 when the statement does not pin. */
    static final int PIN_MASK = 0xFF;
    /** May change session state out of sight ({@code CALL}, {@code DO}): reset in full at hand-over. */
    public static final int DIRTY = 0x100;
    /** Begins a transaction in SQL ({@code BEGIN}, {@code START TRANSACTION}). */
    public static final int TX_BEGIN = 0x200;
    /** Ends a transaction in SQL ({@code COMMIT}, {@code ROLLBACK}, {@code END}, {@code ABORT}). */
    public static final int TX_END = 0x400;

    private static final PinReason[] REASONS = PinReason.values();

    // What the rest of a statement is watched for, decided by its first keywords.
    private static final int R_PLAIN = 0;
    private static final int R_PG_QUERY = 1;          // SELECT/WITH/VALUES/TABLE: ... INTO [GLOBAL|LOCAL] TEMP
    private static final int R_PG_CREATE = 2;         // CREATE (not temporary): an object in schema pg_temp
    private static final int R_PG_CREATE_TEMP_TABLE = 3; // pins unless ON COMMIT DROP
    private static final int R_PG_DECLARE = 4;        // pins with WITH HOLD
    private static final int R_TX_END = 5;            // COMMIT/ROLLBACK: not with TO, PREPARED, AND CHAIN
    private static final int R_MY_SET_GLOBAL = 6;     // SET GLOBAL x = 1 pins nothing; a list might
    private static final int R_MY_FLUSH = 7;          // WITH READ LOCK / FOR EXPORT pins

    private StatementClassifier() {
    }

    /**
     * @param sql the statement text, possibly several statements separated by {@code ;}
     * @param dialect whose lexical and statement rules apply
     * @return the classification: {@link #pinReason(int)} and the {@link #DIRTY}, {@link #TX_BEGIN} and
     *         {@link #TX_END} bits; {@link #NONE} for plain statements
     */
    public static int classify(String sql, Dialect dialect) {
        if (dialect == Dialect.OTHER) {
            int pg = classify(sql, Dialect.POSTGRESQL);
            if ((pg & PIN_MASK) != 0) {
                return pg;
            }
            int my = classify(sql, Dialect.MYSQL);
            if ((my & PIN_MASK) != 0) {
                return my;
            }
            return pg | (my & DIRTY);
        }
        boolean pg = dialect == Dialect.POSTGRESQL;
        Scanner sc = new Scanner(sql, pg);
        int flags = NONE;
        while (true) {
            int r = statement(sc, pg);
            if (sc.unterminated) {
                return pin(PinReason.OTHER) | (flags & DIRTY);
            }
            if ((r & PIN_MASK) != 0) {
                return r | (flags & DIRTY);
            }
            if ((r & TX_BEGIN) != 0) {
                flags = (flags & ~TX_END) | TX_BEGIN;
            }
            if ((r & TX_END) != 0) {
                flags = (flags & ~TX_BEGIN) | TX_END;
            }
            flags |= r & DIRTY;
            if (sc.type == Scanner.EOF) {
                return flags;
            }
        }
    }

    /**
     * @param classification a value from {@link #classify}
     * @return why it pins, or {@code null} when it does not
     */
    public static PinReason pinReason(int classification) {
        int p = classification & PIN_MASK;
        return p == 0 ? null : REASONS[p - 1];
    }

    /** @return a classification that pins for {@code reason} */
    static int pin(PinReason reason) {
        return reason.ordinal() + 1;
    }

    /** Classifies one statement and consumes it, up to and including its {@code ;} (or the end of the text). */
    private static int statement(Scanner sc, boolean pg) {
        int t = sc.next();
        boolean escape = false;
        while (t == Scanner.PUNCT && (sc.punct == '(' || sc.punct == '{')) {
            escape |= sc.punct == '{';
            t = sc.next();
        }
        if (escape && t == Scanner.PUNCT && sc.punct == '?') { // {? = call f(?)}
            t = sc.next();
            if (t == Scanner.PUNCT && sc.punct == '=') {
                t = sc.next();
            }
        }
        if (t == Scanner.EOF || sc.isSemicolon()) {
            return NONE;
        }
        if (t != Scanner.WORD) {
            return pin(PinReason.OTHER);
        }
        return pg ? postgres(sc) : mysql(sc);
    }

    private static int postgres(Scanner sc) {
        switch (Character.toLowerCase(sc.first())) {
            case 'a':
                if (sc.is("abort")) {
                    return rest(sc, true, R_TX_END, TX_END);
                }
                if (sc.is("alter") || sc.is("analyze") || sc.is("analyse")) {
                    return rest(sc, true, R_PLAIN, NONE);
                }
                break;
            case 'b':
                if (sc.is("begin")) {
                    return rest(sc, true, R_PLAIN, TX_BEGIN);
                }
                break;
            case 'c':
                if (sc.is("commit")) {
                    return rest(sc, true, R_TX_END, TX_END);
                }
                if (sc.is("call")) {
                    return rest(sc, true, R_PLAIN, DIRTY);
                }
                if (sc.is("create")) {
                    return pgCreate(sc);
                }
                if (sc.is("copy") || sc.is("comment") || sc.is("close") || sc.is("cluster") || sc.is("checkpoint")) {
                    return rest(sc, true, R_PLAIN, NONE);
                }
                break;
            case 'd':
                if (sc.is("delete") || sc.is("drop") || sc.is("discard")) {
                    return rest(sc, true, R_PLAIN, NONE);
                }
                if (sc.is("do")) {
                    return rest(sc, true, R_PLAIN, DIRTY);
                }
                if (sc.is("declare")) {
                    return rest(sc, true, R_PG_DECLARE, NONE);
                }
                if (sc.is("deallocate")) {
                    return pin(PinReason.PREPARED_STATEMENT);
                }
                break;
            case 'e':
                if (sc.is("end")) {
                    return rest(sc, true, R_TX_END, TX_END);
                }
                if (sc.is("execute")) {
                    return rest(sc, true, R_PLAIN, NONE);
                }
                if (sc.is("explain")) {
                    return pgExplain(sc);
                }
                break;
            case 'f':
                if (sc.is("fetch")) {
                    return rest(sc, true, R_PLAIN, NONE);
                }
                break;
            case 'g':
                if (sc.is("grant")) {
                    return rest(sc, true, R_PLAIN, NONE);
                }
                break;
            case 'i':
                if (sc.is("insert") || sc.is("import")) {
                    return rest(sc, true, R_PLAIN, NONE);
                }
                break;
            case 'l':
                if (sc.is("listen")) {
                    return pin(PinReason.LISTEN);
                }
                if (sc.is("load")) {
                    return pin(PinReason.LOAD);
                }
                if (sc.is("lock")) { // LOCK TABLE holds until the end of the transaction
                    return rest(sc, true, R_PLAIN, NONE);
                }
                break;
            case 'm':
                if (sc.is("merge") || sc.is("move")) {
                    return rest(sc, true, R_PLAIN, NONE);
                }
                break;
            case 'n':
                if (sc.is("notify")) {
                    return rest(sc, true, R_PLAIN, NONE);
                }
                break;
            case 'p':
                if (sc.is("prepare")) {
                    int t = sc.next();
                    if (t == Scanner.WORD && sc.is("transaction")) { // two-phase commit: the session leaves it
                        return rest(sc, true, R_PLAIN, TX_END);
                    }
                    return pin(PinReason.PREPARED_STATEMENT);
                }
                break;
            case 'r':
                if (sc.is("rollback")) {
                    return rest(sc, true, R_TX_END, TX_END);
                }
                if (sc.is("reset") || sc.is("revoke") || sc.is("release") || sc.is("refresh") || sc.is("reindex")
                        || sc.is("reassign")) {
                    return rest(sc, true, R_PLAIN, NONE);
                }
                break;
            case 's':
                if (sc.is("select")) {
                    return rest(sc, true, R_PG_QUERY, NONE);
                }
                if (sc.is("set")) {
                    int t = sc.next();
                    if (t == Scanner.WORD && (sc.is("local") || sc.is("transaction") || sc.is("constraints"))) {
                        return rest(sc, true, R_PLAIN, NONE);
                    }
                    return pin(PinReason.SESSION_SETTING);
                }
                if (sc.is("start")) {
                    return rest(sc, true, R_PLAIN, TX_BEGIN);
                }
                if (sc.is("savepoint") || sc.is("show") || sc.is("security")) {
                    return rest(sc, true, R_PLAIN, NONE);
                }
                break;
            case 't':
                if (sc.is("table")) {
                    return rest(sc, true, R_PG_QUERY, NONE);
                }
                if (sc.is("truncate")) {
                    return rest(sc, true, R_PLAIN, NONE);
                }
                break;
            case 'u':
                if (sc.is("update") || sc.is("unlisten")) {
                    return rest(sc, true, R_PLAIN, NONE);
                }
                break;
            case 'v':
                if (sc.is("values")) {
                    return rest(sc, true, R_PG_QUERY, NONE);
                }
                if (sc.is("vacuum")) {
                    return rest(sc, true, R_PLAIN, NONE);
                }
                break;
            case 'w':
                if (sc.is("with")) {
                    return rest(sc, true, R_PG_QUERY, NONE);
                }
                break;
            default:
                break;
        }
        return pin(PinReason.OTHER);
    }

    /** CREATE [OR REPLACE] [GLOBAL|LOCAL] [TEMP|TEMPORARY|UNLOGGED] ... */
    private static int pgCreate(Scanner sc) {
        int t = sc.next();
        boolean temp = false;
        while (t == Scanner.WORD) {
            if (sc.is("temp") || sc.is("temporary")) {
                temp = true;
            } else if (!(sc.is("or") || sc.is("replace") || sc.is("global") || sc.is("local") || sc.is("unlogged"))) {
                break;
            }
            t = sc.next();
        }
        if (!temp) {
            sc.back();
            return rest(sc, true, R_PG_CREATE, NONE);
        }
        if (t == Scanner.WORD && sc.is("table")) {
            return rest(sc, true, R_PG_CREATE_TEMP_TABLE, NONE);
        }
        return pin(PinReason.TEMPORARY_TABLE); // temporary view or sequence: no ON COMMIT DROP for those
    }

    /** EXPLAIN [ANALYZE] [VERBOSE] [(options)] statement: classified as the statement (ANALYZE runs it). */
    private static int pgExplain(Scanner sc) {
        int t = sc.next();
        while (true) {
            if (t == Scanner.WORD && (sc.is("analyze") || sc.is("analyse") || sc.is("verbose"))) {
                t = sc.next();
            } else if (t == Scanner.PUNCT && sc.punct == '(') {
                int depth = 1;
                while (depth > 0) {
                    t = sc.next();
                    if (t == Scanner.EOF || sc.isSemicolon()) {
                        return NONE;
                    }
                    if (t == Scanner.PUNCT) {
                        depth += sc.punct == '(' ? 1 : sc.punct == ')' ? -1 : 0;
                    }
                }
                t = sc.next();
            } else {
                break;
            }
        }
        if (t == Scanner.EOF || sc.isSemicolon()) {
            return NONE;
        }
        return t == Scanner.WORD ? postgres(sc) : pin(PinReason.OTHER);
    }

    private static int mysql(Scanner sc) {
        switch (Character.toLowerCase(sc.first())) {
            case 'a':
                if (sc.is("alter") || sc.is("analyze")) {
                    return rest(sc, false, R_PLAIN, NONE);
                }
                break;
            case 'b':
                if (sc.is("begin")) {
                    int t = sc.next();
                    if (t == Scanner.WORD && sc.is("not")) { // BEGIN NOT ATOMIC ... END: a compound statement
                        return rest(sc, false, R_PLAIN, DIRTY);
                    }
                    sc.back();
                    return rest(sc, false, R_PLAIN, TX_BEGIN);
                }
                if (sc.is("binlog")) {
                    return rest(sc, false, R_PLAIN, NONE);
                }
                break;
            case 'c':
                if (sc.is("commit")) {
                    return rest(sc, false, R_TX_END, TX_END);
                }
                if (sc.is("call")) {
                    return rest(sc, false, R_PLAIN, DIRTY);
                }
                if (sc.is("create")) {
                    int t = sc.next();
                    while (t == Scanner.WORD && (sc.is("or") || sc.is("replace"))) {
                        t = sc.next();
                    }
                    if (t == Scanner.WORD && sc.is("temporary")) {
                        return pin(PinReason.TEMPORARY_TABLE);
                    }
                    sc.back();
                    return rest(sc, false, R_PLAIN, NONE);
                }
                if (sc.is("check") || sc.is("checksum") || sc.is("change") || sc.is("cache") || sc.is("clone")) {
                    return rest(sc, false, R_PLAIN, NONE);
                }
                break;
            case 'd':
                if (sc.is("delete") || sc.is("drop") || sc.is("do") || sc.is("deallocate") || sc.is("describe")
                        || sc.is("desc")) {
                    return rest(sc, false, R_PLAIN, NONE);
                }
                break;
            case 'e':
                if (sc.is("execute") || sc.is("explain") || sc.is("end")) { // END closes BEGIN NOT ATOMIC
                    return rest(sc, false, R_PLAIN, NONE);
                }
                break;
            case 'f':
                if (sc.is("flush")) {
                    return rest(sc, false, R_MY_FLUSH, NONE);
                }
                break;
            case 'g':
                if (sc.is("grant") || sc.is("get")) {
                    return rest(sc, false, R_PLAIN, NONE);
                }
                break;
            case 'h':
                if (sc.is("handler")) {
                    return pin(PinReason.OTHER);
                }
                if (sc.is("help")) {
                    return rest(sc, false, R_PLAIN, NONE);
                }
                break;
            case 'i':
                if (sc.is("insert") || sc.is("install") || sc.is("import")) {
                    return rest(sc, false, R_PLAIN, NONE);
                }
                break;
            case 'k':
                if (sc.is("kill")) {
                    return rest(sc, false, R_PLAIN, NONE);
                }
                break;
            case 'l':
                if (sc.is("lock")) {
                    return pin(PinReason.TABLE_LOCK);
                }
                if (sc.is("load")) {
                    return rest(sc, false, R_PLAIN, NONE);
                }
                break;
            case 'o':
                if (sc.is("optimize")) {
                    return rest(sc, false, R_PLAIN, NONE);
                }
                break;
            case 'p':
                if (sc.is("prepare")) {
                    return pin(PinReason.PREPARED_STATEMENT);
                }
                if (sc.is("purge")) {
                    return rest(sc, false, R_PLAIN, NONE);
                }
                break;
            case 'r':
                if (sc.is("rollback")) {
                    return rest(sc, false, R_TX_END, TX_END);
                }
                if (sc.is("replace") || sc.is("rename") || sc.is("revoke") || sc.is("repair") || sc.is("release")
                        || sc.is("reset") || sc.is("resignal") || sc.is("restart")) {
                    return rest(sc, false, R_PLAIN, NONE);
                }
                break;
            case 's':
                if (sc.is("select")) {
                    return rest(sc, false, R_PLAIN, NONE);
                }
                if (sc.is("set")) {
                    return mysqlSet(sc);
                }
                if (sc.is("start")) {
                    int t = sc.next();
                    if (t == Scanner.WORD && sc.is("transaction")) {
                        return rest(sc, false, R_PLAIN, TX_BEGIN);
                    }
                    sc.back();
                    return rest(sc, false, R_PLAIN, NONE);
                }
                if (sc.is("show") || sc.is("savepoint") || sc.is("signal") || sc.is("shutdown")) {
                    return rest(sc, false, R_PLAIN, NONE);
                }
                break;
            case 't':
                if (sc.is("table") || sc.is("truncate")) {
                    return rest(sc, false, R_PLAIN, NONE);
                }
                break;
            case 'u':
                if (sc.is("update") || sc.is("unlock") || sc.is("uninstall")) {
                    return rest(sc, false, R_PLAIN, NONE);
                }
                if (sc.is("use")) {
                    return pin(PinReason.DEFAULT_DATABASE);
                }
                break;
            case 'v':
                if (sc.is("values")) {
                    return rest(sc, false, R_PLAIN, NONE);
                }
                break;
            case 'w':
                if (sc.is("with")) {
                    return rest(sc, false, R_PLAIN, NONE);
                }
                break;
            case 'x':
                if (sc.is("xa")) {
                    return pin(PinReason.OTHER);
                }
                break;
            default:
                break;
        }
        return pin(PinReason.OTHER);
    }

    private static int mysqlSet(Scanner sc) {
        int t = sc.next();
        if (t == Scanner.WORD) {
            if (sc.is("global") || sc.is("persist") || sc.is("persist_only")) {
                return rest(sc, false, R_MY_SET_GLOBAL, NONE);
            }
            if (sc.is("statement")) { // MariaDB SET STATEMENT x = 1 FOR ...: for that statement only
                return rest(sc, false, R_PLAIN, NONE);
            }
            if (sc.is("password")) { // an account change, not session state
                return rest(sc, false, R_PLAIN, NONE);
            }
            if (sc.is("default")) { // SET DEFAULT ROLE: an account change
                return rest(sc, false, R_PLAIN, NONE);
            }
            return pin(PinReason.SESSION_SETTING);
        }
        if (t == Scanner.SYS_VAR) {
            if (sc.startsWith("@@global.") || sc.startsWith("@@persist.") || sc.startsWith("@@persist_only.")) {
                return rest(sc, false, R_MY_SET_GLOBAL, NONE);
            }
            return pin(PinReason.SESSION_SETTING);
        }
        if (t == Scanner.USER_VAR) {
            return pin(PinReason.USER_VARIABLE);
        }
        return pin(PinReason.SESSION_SETTING);
    }

    /**
     * Reads the rest of a statement, up to and including its {@code ;}, watching for pinning function calls, MySQL
     * user variables, and the words the statement's rule depends on.
     */
    private static int rest(Scanner sc, boolean pg, int rule, int flags) {
        int depth = 0;
        boolean sawComma = false;
        boolean hold = false;
        boolean onCommitDrop = false;
        boolean notEnd = false;
        boolean chain = false;
        boolean no = false;
        // set_config(name, value, is_local): pins unless is_local is the literal true
        int configDepth = -1;
        int argTokens = 0;
        boolean argTrue = false;
        // the two tokens before this one, when they were words: [start, end), else start = -1
        int w1s = -1;
        int w1e = -1;
        int w2s = -1;
        int w2e = -1;
        int word = -1; // start of the previous token when it was a word, for "name(" calls
        int wordEnd = -1;
        while (true) {
            int t = sc.next();
            if (t == Scanner.EOF || sc.isSemicolon()) {
                break;
            }
            if (configDepth >= 0 && depth >= configDepth) {
                if (t == Scanner.PUNCT && sc.punct == ',' && depth == configDepth) {
                    argTokens = 0;
                    argTrue = false;
                } else if (!(t == Scanner.PUNCT && sc.punct == ')' && depth == configDepth)) {
                    argTokens++;
                    argTrue = argTokens == 1 && t == Scanner.WORD && sc.is("true");
                }
            }
            if (t == Scanner.PUNCT) {
                char c = sc.punct;
                if (c == '(') {
                    if (word >= 0) {
                        int fn = function(sc, pg, word, wordEnd);
                        if (fn == 1) {
                            if (configDepth >= 0) {
                                return pin(PinReason.SESSION_SETTING);
                            }
                            configDepth = depth + 1;
                            argTokens = 0;
                            argTrue = false;
                        } else if (fn != 0) {
                            return fn;
                        }
                    }
                    depth++;
                } else if (c == ')') {
                    if (depth == configDepth) {
                        if (!(argTokens == 1 && argTrue)) {
                            return pin(PinReason.SESSION_SETTING);
                        }
                        configDepth = -1;
                    }
                    depth = Math.max(0, depth - 1);
                } else if (c == ',' && depth == 0) {
                    sawComma = true;
                }
                word = -1;
                w2s = -1;
                w1s = -1;
                continue;
            }
            if (t == Scanner.USER_VAR) {
                return pin(PinReason.USER_VARIABLE);
            }
            if (t != Scanner.WORD) {
                // A PostgreSQL quoted identifier names a function as well as the bare word does:
                // "set_config"(...) and pg_catalog."pg_advisory_lock"(1) must pin like their unquoted forms.
                boolean quotedName = pg && t == Scanner.LITERAL && sc.end - sc.start >= 3
                        && sc.charAt(sc.start) == '"' && sc.charAt(sc.end - 1) == '"';
                word = quotedName ? sc.start + 1 : -1;
                wordEnd = quotedName ? sc.end - 1 : -1;
                w2s = -1;
                w1s = -1;
                continue;
            }
            switch (rule) {
                case R_PG_QUERY:
                    if ((sc.is("temp") || sc.is("temporary"))
                            && (sc.was(w1s, w1e, "into") || sc.was(w2s, w2e, "into")
                                    && (sc.was(w1s, w1e, "global") || sc.was(w1s, w1e, "local")))) {
                        return pin(PinReason.TEMPORARY_TABLE);
                    }
                    break;
                case R_PG_CREATE:
                    if (sc.is("pg_temp")) {
                        return pin(PinReason.TEMPORARY_TABLE);
                    }
                    break;
                case R_PG_CREATE_TEMP_TABLE:
                    if (sc.is("drop") && sc.was(w1s, w1e, "commit") && sc.was(w2s, w2e, "on")) {
                        onCommitDrop = true;
                    }
                    break;
                case R_PG_DECLARE:
                    if (sc.is("hold") && sc.was(w1s, w1e, "with")) {
                        hold = true;
                    }
                    break;
                case R_TX_END:
                    if (sc.is("to") || sc.is("prepared")) {
                        notEnd = true;
                    } else if (sc.is("chain")) {
                        chain = true;
                        no = sc.was(w1s, w1e, "no") || sc.was(w2s, w2e, "no");
                    }
                    break;
                case R_MY_FLUSH:
                    if (sc.is("lock") && sc.was(w1s, w1e, "read") && sc.was(w2s, w2e, "with")
                            || sc.is("export") && sc.was(w1s, w1e, "for")) {
                        return pin(PinReason.TABLE_LOCK);
                    }
                    break;
                default:
                    break;
            }
            w2s = w1s;
            w2e = w1e;
            w1s = sc.start;
            w1e = sc.end;
            word = sc.start;
            wordEnd = sc.end;
        }
        if (configDepth >= 0) {
            return pin(PinReason.SESSION_SETTING);
        }
        switch (rule) {
            case R_PG_CREATE_TEMP_TABLE:
                return onCommitDrop ? flags : pin(PinReason.TEMPORARY_TABLE);
            case R_PG_DECLARE:
                return hold ? pin(PinReason.CURSOR_WITH_HOLD) : flags;
            case R_MY_SET_GLOBAL:
                return sawComma ? pin(PinReason.SESSION_SETTING) : flags;
            case R_TX_END:
                if (notEnd) { // ROLLBACK TO SAVEPOINT, COMMIT/ROLLBACK PREPARED
                    return NONE;
                }
                return chain && !no ? TX_BEGIN : flags; // AND CHAIN begins the next transaction at once
            default:
                return flags;
        }
    }

    /** @return 0 for an ordinary function, 1 for set_config, else a pin */
    private static int function(Scanner sc, boolean pg, int start, int end) {
        int len = end - start;
        if (pg) {
            if (len == 10 && sc.regionIs(start, "set_config")) {
                return 1;
            }
            if ((len == 16 || len == 23)
                    && sc.regionIs(start, len == 16 ? "pg_advisory_lock" : "pg_advisory_lock_shared")
                    || (len == 20 || len == 27)
                            && sc.regionIs(start, len == 20 ? "pg_try_advisory_lock" : "pg_try_advisory_lock_shared")) {
                return pin(PinReason.ADVISORY_LOCK);
            }
            return 0;
        }
        if (len == 8 && sc.regionIs(start, "get_lock")) {
            return pin(PinReason.ADVISORY_LOCK);
        }
        return 0;
    }

    /** A tokenizer that knows just enough of each dialect's lexical rules to never mistake a literal for code. */
    static final class Scanner {
        static final int EOF = 0;
        static final int WORD = 1;
        static final int PUNCT = 2;
        /** A string, quoted identifier, number or parameter. */
        static final int LITERAL = 3;
        /** A MySQL user variable: {@code @name}, {@code @'name'}. */
        static final int USER_VAR = 4;
        /** A MySQL system variable: {@code @@name}, {@code @@session.name}. */
        static final int SYS_VAR = 5;

        private final String s;
        private final int n;
        private final boolean pg;
        private int pos;
        private boolean pushedBack;
        int type = -1;
        int start;
        int end;
        char punct;
        boolean unterminated;

        Scanner(String s, boolean pg) {
            this.s = s;
            this.n = s.length();
            this.pg = pg;
        }

        /** Makes the next {@link #next()} return the current token again. */
        void back() {
            pushedBack = true;
        }

        boolean isSemicolon() {
            return type == PUNCT && punct == ';';
        }

        char first() {
            return s.charAt(start);
        }

        /** @return whether the current token is the word {@code lower}, ignoring ASCII case */
        boolean is(String lower) {
            return end - start == lower.length() && regionIs(start, lower);
        }

        boolean was(int wStart, int wEnd, String lower) {
            return wStart >= 0 && wEnd - wStart == lower.length() && regionIs(wStart, lower);
        }

        boolean startsWith(String lower) {
            return end - start >= lower.length() && regionIs(start, lower);
        }

        char charAt(int at) {
            return s.charAt(at);
        }

        boolean regionIs(int at, String lower) {
            if (at + lower.length() > n) {
                return false;
            }
            for (int i = 0; i < lower.length(); i++) {
                char c = s.charAt(at + i);
                if (c >= 'A' && c <= 'Z') {
                    c += 'a' - 'A';
                }
                if (c != lower.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        int next() {
            if (pushedBack) {
                pushedBack = false;
                return type;
            }
            while (pos < n) {
                char c = s.charAt(pos);
                if (c <= ' ' || Character.isWhitespace(c)) {
                    pos++;
                    continue;
                }
                start = pos;
                char d = pos + 1 < n ? s.charAt(pos + 1) : 0;
                if (c == '-' && d == '-' && (pg || pos + 2 >= n || s.charAt(pos + 2) <= ' ')) {
                    skipLine();
                    continue;
                }
                if (c == '#' && !pg) {
                    skipLine();
                    continue;
                }
                if (c == '/' && d == '*') {
                    if (!pg && pos + 2 < n && s.charAt(pos + 2) == '!') {
                        // MySQL runs the text of /*!NNNNN ... */ as code: read it as code.
                        pos += 3;
                        while (pos < n && Character.isDigit(s.charAt(pos))) {
                            pos++;
                        }
                        continue;
                    }
                    if (!skipBlockComment()) {
                        return eof(true);
                    }
                    continue;
                }
                if (c == '*' && d == '/' && !pg) { // the end of a /*! ... */ read as code
                    pos += 2;
                    continue;
                }
                if (isWordStart(c)) {
                    pos++;
                    while (pos < n && isWordPart(s.charAt(pos))) {
                        pos++;
                    }
                    if (pg && pos - start == 1 && (c == 'e' || c == 'E') && pos < n && s.charAt(pos) == '\'') {
                        return quoted('\'', true); // E'...' takes backslash escapes
                    }
                    end = pos;
                    return type = WORD;
                }
                if (c >= '0' && c <= '9') {
                    pos++;
                    while (pos < n && (isWordPart(s.charAt(pos)) || s.charAt(pos) == '.')) {
                        pos++;
                    }
                    end = pos;
                    return type = LITERAL;
                }
                if (c == '\'') {
                    return quoted('\'', !pg);
                }
                if (c == '"') {
                    return quoted('"', !pg);
                }
                if (c == '`' && !pg) {
                    return quoted('`', false);
                }
                if (c == '$' && pg) {
                    int dollar = dollar();
                    if (dollar != PUNCT) {
                        return dollar;
                    }
                }
                if (c == '@' && !pg) {
                    return variable(d);
                }
                pos++;
                end = pos;
                punct = c;
                return type = PUNCT;
            }
            start = n;
            end = n;
            return eof(false);
        }

        private int eof(boolean broken) {
            unterminated |= broken;
            pos = n;
            return type = EOF;
        }

        private void skipLine() {
            while (pos < n && s.charAt(pos) != '\n' && s.charAt(pos) != '\r') {
                pos++;
            }
        }

        /** @return false if the comment does not end; PostgreSQL comments nest, MySQL ones do not */
        private boolean skipBlockComment() {
            int level = 0;
            while (pos < n) {
                char c = s.charAt(pos);
                char d = pos + 1 < n ? s.charAt(pos + 1) : 0;
                if (c == '/' && d == '*') {
                    if (level == 0 || pg) {
                        level++;
                    }
                    pos += 2;
                } else if (c == '*' && d == '/') {
                    level--;
                    pos += 2;
                    if (level == 0) {
                        return true;
                    }
                } else {
                    pos++;
                }
            }
            return false;
        }

        /** A literal or quoted identifier from the opening quote at pos; a doubled quote stands for itself. */
        private int quoted(char q, boolean backslash) {
            pos++;
            while (pos < n) {
                char c = s.charAt(pos);
                if (c == '\\' && backslash) {
                    pos += 2;
                } else if (c == q) {
                    if (pos + 1 < n && s.charAt(pos + 1) == q) {
                        pos += 2;
                    } else {
                        pos++;
                        end = pos;
                        return type = LITERAL;
                    }
                } else {
                    pos++;
                }
            }
            return eof(true);
        }

        /** $1 (a parameter) or $tag$ ... $tag$ (a dollar-quoted string), else PUNCT without consuming anything. */
        private int dollar() {
            int j = pos + 1;
            if (j < n && Character.isDigit(s.charAt(j))) {
                while (j < n && Character.isDigit(s.charAt(j))) {
                    j++;
                }
                pos = j;
                end = j;
                return type = LITERAL;
            }
            while (j < n && (isWordStart(s.charAt(j)) || j > pos + 1 && Character.isDigit(s.charAt(j)))) {
                j++;
            }
            if (j >= n || s.charAt(j) != '$') {
                return PUNCT;
            }
            String tag = s.substring(pos, j + 1);
            int close = s.indexOf(tag, j + 1);
            if (close < 0) {
                return eof(true);
            }
            pos = close + tag.length();
            end = pos;
            return type = LITERAL;
        }

        /** MySQL {@code @name}, {@code @'name'}, {@code @@[scope.]name}. */
        private int variable(char d) {
            if (d == '@') {
                pos += 2;
                while (pos < n && (isWordPart(s.charAt(pos)) || s.charAt(pos) == '.')) {
                    pos++;
                }
                end = pos;
                return type = SYS_VAR;
            }
            pos++;
            if (d == '\'' || d == '"' || d == '`') {
                if (quoted(d, d != '`') == EOF) {
                    return EOF;
                }
            } else {
                while (pos < n && (isWordPart(s.charAt(pos)) || s.charAt(pos) == '.')) {
                    pos++;
                }
            }
            end = pos;
            return type = USER_VAR;
        }

        private static boolean isWordStart(char c) {
            return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80 && Character.isLetter(c);
        }

        private static boolean isWordPart(char c) {
            return isWordStart(c) || c >= '0' && c <= '9' || c == '$';
        }
    }
}
