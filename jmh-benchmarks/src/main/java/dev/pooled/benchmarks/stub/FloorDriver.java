package dev.pooled.benchmarks.stub;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The floor of any {@code DriverManager} path: a driver for {@code jdbc:floor:} whose {@code connect} is one prefix
 * check and returns one cached connection. What {@code DriverManager.getConnection(url)} costs beyond it is
 * DriverManager's own (its {@code Properties}, its walk over the registered drivers and their caller checks).
 */
public final class FloorDriver extends PrefixDriver {
    /** The prefix this driver accepts. */
    public static final String PREFIX = "jdbc:floor:";

    private final Connection cached = new StubConnection();

    private FloorDriver() {
        super(PREFIX);
    }

    /**
     * Registers a floor driver in the place {@code inPlaceOf} holds in {@link DriverManager}'s list, so that a URL
     * for it passes the same drivers first (each is asked and says no) as a URL for {@code inPlaceOf} does. The
     * drivers after that place are registered again behind it; {@code inPlaceOf} itself stays, last.
     *
     * @param inPlaceOf the driver class whose position to take
     */
    public static void registerInPlaceOf(Class<? extends Driver> inPlaceOf) throws SQLException {
        List<Driver> all = new ArrayList<>();
        DriverManager.drivers().forEach(all::add);
        int at = -1;
        for (int i = 0; i < all.size(); i++) {
            if (inPlaceOf.isInstance(all.get(i))) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            throw new IllegalStateException(inPlaceOf.getName() + " is not registered: " + all);
        }
        List<Driver> tail = new ArrayList<>(all.subList(at, all.size()));
        for (Driver d : tail) {
            DriverManager.deregisterDriver(d);
        }
        DriverManager.registerDriver(new FloorDriver());
        for (Driver d : tail.subList(1, tail.size())) {
            DriverManager.registerDriver(d);
        }
        DriverManager.registerDriver(tail.get(0));
    }

    @Override
    protected Connection open(String url) {
        return cached;
    }
}
