package dev.pooled.spring.boot;

/** Whether pooled-jdbc-etcd (with its settings) is on the test class path. */
final class EtcdModule {
    static final boolean PRESENT = present("dev.pooled.etcd.EtcdSettings");

    private EtcdModule() {
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, EtcdModule.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
