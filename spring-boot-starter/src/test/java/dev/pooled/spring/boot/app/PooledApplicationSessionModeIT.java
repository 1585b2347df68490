package dev.pooled.spring.boot.app;

import dev.pooled.PoolingMode;
import org.springframework.test.context.TestPropertySource;

/** {@link PooledApplicationIT} with the primary pool in session mode. */
@TestPropertySource(properties = "pooled.mode=session")
class PooledApplicationSessionModeIT extends PooledApplicationIT {
    @Override
    PoolingMode expectedMode() {
        return PoolingMode.SESSION;
    }
}
