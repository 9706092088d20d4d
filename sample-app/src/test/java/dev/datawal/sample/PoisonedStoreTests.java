package dev.datawal.sample;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.datawal.DataWal;
import dev.datawal.WriterPoisonedException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.util.unit.DataSize;

/** A poisoned store refuses writes with a 503 problem that says why; reads keep working. */
class PoisonedStoreTests {

  @Test
  void writesToAPoisonedStoreAre503AndReadsStillWork() throws Exception {
    DataWal store = mock(DataWal.class);
    when(store.put(any(), any()))
        .thenThrow(
            new WriterPoisonedException(
                "fsync failed: EIO", new IOException("Input/output error")));
    when(store.get(any())).thenReturn(Optional.of(new byte[] {7}));
    MockMvc mvc =
        MockMvcBuilders.standaloneSetup(
                new KvController(
                    store, new SampleProperties(Path.of("unused"), 1024, DataSize.ofMegabytes(1))))
            .setControllerAdvice(new ApiErrors())
            .build();

    mvc.perform(put("/kv/a").content(new byte[] {1}))
        .andExpect(status().isServiceUnavailable())
        .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.type").value("about:blank"))
        .andExpect(jsonPath("$.title").value("Service Unavailable"))
        .andExpect(jsonPath("$.status").value(503))
        .andExpect(
            jsonPath("$.detail")
                .value(
                    "datawal: writer poisoned: fsync failed: EIO; drop handle and reopen"
                        + " (the store refuses writes until the application restarts)"))
        .andExpect(jsonPath("$.instance").value("/kv/a"));
    mvc.perform(get("/kv/a")).andExpect(status().isOk()).andExpect(content().bytes(new byte[] {7}));
  }
}
