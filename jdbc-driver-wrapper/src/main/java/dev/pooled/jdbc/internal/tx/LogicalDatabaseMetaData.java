package dev.pooled.jdbc.internal.tx;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.RowIdLifetime;
import java.sql.SQLException;

/**
 * The logical connection's {@link DatabaseMetaData}: each call runs on the bound physical connection's metadata
 * (binding one for the call if needed, released after it unless a transaction or an open result keeps it). A
 * result set it returns keeps the binding until it is read or closed ({@link MetaDataResults});
 * {@link #getConnection()} returns the logical connection. Hand-written delegation like every other class of the
 * transaction-mode surface; the methods were generated once from the {@code DatabaseMetaData} interface of
 * Java 17.
 */
final class LogicalDatabaseMetaData implements DatabaseMetaData {
    private final LogicalConnection conn;

    LogicalDatabaseMetaData(LogicalConnection conn) {
        this.conn = conn;
    }

    @Override
    public Connection getConnection() {
        return conn;
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        conn.checkOpen();
        try {
            return conn.bindForUnwrap().getMetaData().unwrap(iface);
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return true;
        }
        conn.checkOpen();
        try {
            return conn.bindForUnwrap().getMetaData().isWrapperFor(iface);
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public String toString() {
        return "LogicalDatabaseMetaData[" + conn + "]";
    }

    @Override
    public boolean allProceduresAreCallable() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().allProceduresAreCallable();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean allTablesAreSelectable() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().allTablesAreSelectable();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean autoCommitFailureClosesAllResultSets() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().autoCommitFailureClosesAllResultSets();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean dataDefinitionCausesTransactionCommit() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().dataDefinitionCausesTransactionCommit();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean dataDefinitionIgnoredInTransactions() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().dataDefinitionIgnoredInTransactions();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean deletesAreDetected(int a0) throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().deletesAreDetected(a0);
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean doesMaxRowSizeIncludeBlobs() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().doesMaxRowSizeIncludeBlobs();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean generatedKeyAlwaysReturned() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().generatedKeyAlwaysReturned();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getAttributes(String a0, String a1, String a2, String a3) throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getAttributes(a0, a1, a2, a3));
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getBestRowIdentifier(String a0, String a1, String a2, int a3, boolean a4) throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getBestRowIdentifier(a0, a1, a2, a3, a4));
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public String getCatalogSeparator() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getCatalogSeparator();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public String getCatalogTerm() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getCatalogTerm();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getCatalogs() throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getCatalogs());
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getClientInfoProperties() throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getClientInfoProperties());
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getColumnPrivileges(String a0, String a1, String a2, String a3) throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getColumnPrivileges(a0, a1, a2, a3));
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getColumns(String a0, String a1, String a2, String a3) throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getColumns(a0, a1, a2, a3));
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getCrossReference(String a0, String a1, String a2, String a3, String a4, String a5) throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getCrossReference(a0, a1, a2, a3, a4, a5));
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getDatabaseMajorVersion() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getDatabaseMajorVersion();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getDatabaseMinorVersion() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getDatabaseMinorVersion();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public String getDatabaseProductName() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getDatabaseProductName();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public String getDatabaseProductVersion() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getDatabaseProductVersion();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getDefaultTransactionIsolation() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getDefaultTransactionIsolation();
        } finally {
            conn.maybeRelease();
        }
    }

    /** Declared without {@code SQLException}: a failure to bind is rethrown unchecked, with its cause. */
    @Override
    public int getDriverMajorVersion() {
        try {
            conn.checkOpen();
            try {
                return conn.bind().getMetaData().getDriverMajorVersion();
            } finally {
                conn.maybeRelease();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("no physical connection to ask for the driver's version: "
                    + e.getMessage(), e);
        }
    }

    /** Declared without {@code SQLException}: a failure to bind is rethrown unchecked, with its cause. */
    @Override
    public int getDriverMinorVersion() {
        try {
            conn.checkOpen();
            try {
                return conn.bind().getMetaData().getDriverMinorVersion();
            } finally {
                conn.maybeRelease();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("no physical connection to ask for the driver's version: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String getDriverName() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getDriverName();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public String getDriverVersion() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getDriverVersion();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getExportedKeys(String a0, String a1, String a2) throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getExportedKeys(a0, a1, a2));
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public String getExtraNameCharacters() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getExtraNameCharacters();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getFunctionColumns(String a0, String a1, String a2, String a3) throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getFunctionColumns(a0, a1, a2, a3));
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getFunctions(String a0, String a1, String a2) throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getFunctions(a0, a1, a2));
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public String getIdentifierQuoteString() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getIdentifierQuoteString();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getImportedKeys(String a0, String a1, String a2) throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getImportedKeys(a0, a1, a2));
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getIndexInfo(String a0, String a1, String a2, boolean a3, boolean a4) throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getIndexInfo(a0, a1, a2, a3, a4));
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getJDBCMajorVersion() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getJDBCMajorVersion();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getJDBCMinorVersion() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getJDBCMinorVersion();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getMaxBinaryLiteralLength() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getMaxBinaryLiteralLength();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getMaxCatalogNameLength() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getMaxCatalogNameLength();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getMaxCharLiteralLength() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getMaxCharLiteralLength();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getMaxColumnNameLength() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getMaxColumnNameLength();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getMaxColumnsInGroupBy() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getMaxColumnsInGroupBy();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getMaxColumnsInIndex() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getMaxColumnsInIndex();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getMaxColumnsInOrderBy() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getMaxColumnsInOrderBy();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getMaxColumnsInSelect() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getMaxColumnsInSelect();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getMaxColumnsInTable() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getMaxColumnsInTable();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getMaxConnections() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getMaxConnections();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getMaxCursorNameLength() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getMaxCursorNameLength();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getMaxIndexLength() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getMaxIndexLength();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public long getMaxLogicalLobSize() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getMaxLogicalLobSize();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getMaxProcedureNameLength() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getMaxProcedureNameLength();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getMaxRowSize() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getMaxRowSize();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getMaxSchemaNameLength() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getMaxSchemaNameLength();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getMaxStatementLength() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getMaxStatementLength();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getMaxStatements() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getMaxStatements();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getMaxTableNameLength() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getMaxTableNameLength();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getMaxTablesInSelect() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getMaxTablesInSelect();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getMaxUserNameLength() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getMaxUserNameLength();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public String getNumericFunctions() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getNumericFunctions();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getPrimaryKeys(String a0, String a1, String a2) throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getPrimaryKeys(a0, a1, a2));
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getProcedureColumns(String a0, String a1, String a2, String a3) throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getProcedureColumns(a0, a1, a2, a3));
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public String getProcedureTerm() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getProcedureTerm();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getProcedures(String a0, String a1, String a2) throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getProcedures(a0, a1, a2));
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getPseudoColumns(String a0, String a1, String a2, String a3) throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getPseudoColumns(a0, a1, a2, a3));
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getResultSetHoldability() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getResultSetHoldability();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public RowIdLifetime getRowIdLifetime() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getRowIdLifetime();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public String getSQLKeywords() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getSQLKeywords();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public int getSQLStateType() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getSQLStateType();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public String getSchemaTerm() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getSchemaTerm();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getSchemas() throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getSchemas());
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getSchemas(String a0, String a1) throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getSchemas(a0, a1));
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public String getSearchStringEscape() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getSearchStringEscape();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public String getStringFunctions() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getStringFunctions();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getSuperTables(String a0, String a1, String a2) throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getSuperTables(a0, a1, a2));
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getSuperTypes(String a0, String a1, String a2) throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getSuperTypes(a0, a1, a2));
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public String getSystemFunctions() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getSystemFunctions();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getTablePrivileges(String a0, String a1, String a2) throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getTablePrivileges(a0, a1, a2));
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getTableTypes() throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getTableTypes());
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getTables(String a0, String a1, String a2, String[] a3) throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getTables(a0, a1, a2, a3));
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public String getTimeDateFunctions() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getTimeDateFunctions();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getTypeInfo() throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getTypeInfo());
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getUDTs(String a0, String a1, String a2, int[] a3) throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getUDTs(a0, a1, a2, a3));
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public String getURL() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getURL();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public String getUserName() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().getUserName();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public ResultSet getVersionColumns(String a0, String a1, String a2) throws SQLException {
        conn.checkOpen();
        try {
            return conn.metaResult(conn.bind().getMetaData().getVersionColumns(a0, a1, a2));
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean insertsAreDetected(int a0) throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().insertsAreDetected(a0);
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean isCatalogAtStart() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().isCatalogAtStart();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().isReadOnly();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean locatorsUpdateCopy() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().locatorsUpdateCopy();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean nullPlusNonNullIsNull() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().nullPlusNonNullIsNull();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean nullsAreSortedAtEnd() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().nullsAreSortedAtEnd();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean nullsAreSortedAtStart() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().nullsAreSortedAtStart();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean nullsAreSortedHigh() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().nullsAreSortedHigh();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean nullsAreSortedLow() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().nullsAreSortedLow();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean othersDeletesAreVisible(int a0) throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().othersDeletesAreVisible(a0);
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean othersInsertsAreVisible(int a0) throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().othersInsertsAreVisible(a0);
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean othersUpdatesAreVisible(int a0) throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().othersUpdatesAreVisible(a0);
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean ownDeletesAreVisible(int a0) throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().ownDeletesAreVisible(a0);
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean ownInsertsAreVisible(int a0) throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().ownInsertsAreVisible(a0);
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean ownUpdatesAreVisible(int a0) throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().ownUpdatesAreVisible(a0);
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean storesLowerCaseIdentifiers() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().storesLowerCaseIdentifiers();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean storesLowerCaseQuotedIdentifiers() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().storesLowerCaseQuotedIdentifiers();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean storesMixedCaseIdentifiers() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().storesMixedCaseIdentifiers();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean storesMixedCaseQuotedIdentifiers() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().storesMixedCaseQuotedIdentifiers();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean storesUpperCaseIdentifiers() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().storesUpperCaseIdentifiers();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean storesUpperCaseQuotedIdentifiers() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().storesUpperCaseQuotedIdentifiers();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsANSI92EntryLevelSQL() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsANSI92EntryLevelSQL();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsANSI92FullSQL() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsANSI92FullSQL();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsANSI92IntermediateSQL() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsANSI92IntermediateSQL();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsAlterTableWithAddColumn() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsAlterTableWithAddColumn();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsAlterTableWithDropColumn() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsAlterTableWithDropColumn();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsBatchUpdates() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsBatchUpdates();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsCatalogsInDataManipulation() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsCatalogsInDataManipulation();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsCatalogsInIndexDefinitions() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsCatalogsInIndexDefinitions();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsCatalogsInPrivilegeDefinitions() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsCatalogsInPrivilegeDefinitions();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsCatalogsInProcedureCalls() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsCatalogsInProcedureCalls();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsCatalogsInTableDefinitions() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsCatalogsInTableDefinitions();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsColumnAliasing() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsColumnAliasing();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsConvert() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsConvert();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsConvert(int a0, int a1) throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsConvert(a0, a1);
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsCoreSQLGrammar() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsCoreSQLGrammar();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsCorrelatedSubqueries() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsCorrelatedSubqueries();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsDataDefinitionAndDataManipulationTransactions() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsDataDefinitionAndDataManipulationTransactions();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsDataManipulationTransactionsOnly() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsDataManipulationTransactionsOnly();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsDifferentTableCorrelationNames() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsDifferentTableCorrelationNames();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsExpressionsInOrderBy() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsExpressionsInOrderBy();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsExtendedSQLGrammar() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsExtendedSQLGrammar();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsFullOuterJoins() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsFullOuterJoins();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsGetGeneratedKeys() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsGetGeneratedKeys();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsGroupBy() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsGroupBy();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsGroupByBeyondSelect() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsGroupByBeyondSelect();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsGroupByUnrelated() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsGroupByUnrelated();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsIntegrityEnhancementFacility() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsIntegrityEnhancementFacility();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsLikeEscapeClause() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsLikeEscapeClause();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsLimitedOuterJoins() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsLimitedOuterJoins();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsMinimumSQLGrammar() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsMinimumSQLGrammar();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsMixedCaseIdentifiers() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsMixedCaseIdentifiers();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsMixedCaseQuotedIdentifiers() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsMixedCaseQuotedIdentifiers();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsMultipleOpenResults() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsMultipleOpenResults();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsMultipleResultSets() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsMultipleResultSets();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsMultipleTransactions() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsMultipleTransactions();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsNamedParameters() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsNamedParameters();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsNonNullableColumns() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsNonNullableColumns();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsOpenCursorsAcrossCommit() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsOpenCursorsAcrossCommit();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsOpenCursorsAcrossRollback() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsOpenCursorsAcrossRollback();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsOpenStatementsAcrossCommit() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsOpenStatementsAcrossCommit();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsOpenStatementsAcrossRollback() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsOpenStatementsAcrossRollback();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsOrderByUnrelated() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsOrderByUnrelated();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsOuterJoins() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsOuterJoins();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsPositionedDelete() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsPositionedDelete();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsPositionedUpdate() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsPositionedUpdate();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsRefCursors() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsRefCursors();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsResultSetConcurrency(int a0, int a1) throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsResultSetConcurrency(a0, a1);
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsResultSetHoldability(int a0) throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsResultSetHoldability(a0);
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsResultSetType(int a0) throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsResultSetType(a0);
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsSavepoints() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsSavepoints();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsSchemasInDataManipulation() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsSchemasInDataManipulation();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsSchemasInIndexDefinitions() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsSchemasInIndexDefinitions();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsSchemasInPrivilegeDefinitions() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsSchemasInPrivilegeDefinitions();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsSchemasInProcedureCalls() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsSchemasInProcedureCalls();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsSchemasInTableDefinitions() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsSchemasInTableDefinitions();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsSelectForUpdate() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsSelectForUpdate();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsSharding() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsSharding();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsStatementPooling() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsStatementPooling();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsStoredFunctionsUsingCallSyntax() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsStoredFunctionsUsingCallSyntax();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsStoredProcedures() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsStoredProcedures();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsSubqueriesInComparisons() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsSubqueriesInComparisons();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsSubqueriesInExists() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsSubqueriesInExists();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsSubqueriesInIns() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsSubqueriesInIns();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsSubqueriesInQuantifieds() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsSubqueriesInQuantifieds();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsTableCorrelationNames() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsTableCorrelationNames();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsTransactionIsolationLevel(int a0) throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsTransactionIsolationLevel(a0);
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsTransactions() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsTransactions();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsUnion() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsUnion();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean supportsUnionAll() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().supportsUnionAll();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean updatesAreDetected(int a0) throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().updatesAreDetected(a0);
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean usesLocalFilePerTable() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().usesLocalFilePerTable();
        } finally {
            conn.maybeRelease();
        }
    }

    @Override
    public boolean usesLocalFiles() throws SQLException {
        conn.checkOpen();
        try {
            return conn.bind().getMetaData().usesLocalFiles();
        } finally {
            conn.maybeRelease();
        }
    }
}
