package dev.pooled.spring.boot;

import dev.pooled.jdbc.PooledDataSource;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.ListableBeanFactory;

/** Finds the pooled data sources among an application's {@code DataSource} beans, wrapped ones included. */
final class PooledBeans {
    private PooledBeans() {
    }

    /** @return every {@link PooledDataSource} by bean name, in registration order */
    static Map<String, PooledDataSource> find(ListableBeanFactory beanFactory) {
        Map<String, PooledDataSource> found = new LinkedHashMap<>();
        beanFactory.getBeansOfType(DataSource.class, false, true).forEach((name, ds) -> {
            PooledDataSource p = unwrap(ds);
            if (p != null && !found.containsValue(p)) {
                found.put(name, p);
            }
        });
        return found;
    }

    private static PooledDataSource unwrap(DataSource ds) {
        if (ds instanceof PooledDataSource) {
            return (PooledDataSource) ds;
        }
        try {
            return ds.isWrapperFor(PooledDataSource.class) ? ds.unwrap(PooledDataSource.class) : null;
        } catch (SQLException | RuntimeException e) {
            return null; // a wrapper that cannot say: not ours
        }
    }
}
