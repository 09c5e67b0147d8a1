package shop.orders;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.slf4j.LoggerFactory;

public class OrderService {
    private static final org.slf4j.Logger LOGGER = LoggerFactory.getLogger(OrderService.class);
    private static final Logger julLogger = Logger.getLogger("orders");
    private final org.slf4j.Logger log = LoggerFactory.getLogger(getClass());

    public void place(Order order) {
        log.warn("order {} has no items", order.getId()); // #orders
        LOGGER.error("payment failed for " + order.getId() + ": " + reason, e);
        julLogger.severe("inventory service unreachable");
        julLogger.log(Level.WARNING, "retrying order {0} ({1} left)", new Object[] { id, n });
        log.info(String.format("placed order %s in %d ms", id, ms));
        log.debug("multi " +
                  "line {}",
                  x); // @ana
        // @ana #orders
        log.atWarn().setCause(e).log("fluent warn {}", id);
        Log.e(TAG, "android error " + code);
        log.error(e.getMessage());
        items.error("not a logger");
        julLogger.warning(() -> "supplier message " + id);
        LOGGER.info("""
            text block
              indented
            """);
        System.err.println("stderr is not a log");
    }
}
