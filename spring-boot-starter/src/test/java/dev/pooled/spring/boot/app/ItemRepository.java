package dev.pooled.spring.boot.app;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

/** A Spring Data JPA repository over the primary (pooled) data source. */
public interface ItemRepository extends JpaRepository<Item, Long> {
    List<Item> findByName(String name);
}
