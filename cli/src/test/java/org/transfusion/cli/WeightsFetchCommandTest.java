package org.transfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.data.Normalisation;
import org.transfusion.engine.init.InitScheme;
import org.transfusion.engine.run.RunSpec;

/**
 * {@code weights fetch} as a user meets it offline: the one line naming the URL and the exact cache path to place
 * the file at, and clear refusals for models without published weights. (Fetching, verification, resuming and the
 * cache are tested against a local hub in the engine's HubTest.) Settings are read like the environment variables
 * of the same name, from system properties first.
 */
class WeightsFetchCommandTest {
    @TempDir Path dir;

    @AfterEach
    void clear() {
        System.clearProperty("HF_HUB_OFFLINE");
        System.clearProperty("TRANSFUSION_CACHE");
    }

    @Test
    void offlineItNamesTheUrlAndThePathAndExitsTwo() {
        System.setProperty("HF_HUB_OFFLINE", "1");
        System.setProperty("TRANSFUSION_CACHE", dir.toString());
        CliRun.of("weights", "fetch", "resnet50").assertOneLineError("HF_HUB_OFFLINE is set and timm/resnet50.tv_in1k "
                + "is not cached: download https://huggingface.co/timm/resnet50.tv_in1k/resolve/main/model.safetensors "
                + "by hand and place it at " + dir.resolve("hub/models--timm--resnet50.tv_in1k/main/model.safetensors"));
    }

    @Test
    void aModelWithoutPublishedWeightsSaysHowToGetSome() {
        CliRun.of("weights", "fetch", "cbr-small").assertOneLineError("no published pretrained weights for cbr-small "
                + "(published: resnet18, resnet50, densenet121, inception-v3, efficientnet-b0, vit-small-p16, "
                + "convnext-tiny); pretrain it yourself");
        CliRun.of("weights", "fetch", "resnet-50").assertOneLineError("unknown model 'resnet-50'");
    }

    @Test
    void trainingWithPublishedWeightsOfflineAndUncachedStopsBeforeTraining() {
        System.setProperty("HF_HUB_OFFLINE", "1");
        System.setProperty("TRANSFUSION_CACHE", dir.toString());
        Path out = dir.resolve("run");
        CliRun.of("train", "--data", "synthetic:retina?n=40&size=32", "--model", "resnet18", "--init", "pretrained",
                "--out", out.toString()).assertOneLineError("HF_HUB_OFFLINE is set and timm/resnet18.tv_in1k is not "
                + "cached");
        assertThat(out).doesNotExist();
    }

    @Test
    void theListNamesEachSourceAndItsLicence() {
        System.setProperty("TRANSFUSION_CACHE", dir.toString());
        CliRun r = CliRun.of("weights", "list");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("resnet18        timm/resnet18.tv_in1k                BSD-3-Clause")
                .contains("inception-v3    timm/inception_v3.tv_in1k").contains("densenet121")
                // every checkpoint of a model, its default first, each with its own licence
                .contains("resnet50        timm/resnet50.fb_swsl_ig1b_ft_in1k   CC-BY-NC-4.0");
        List<String> resnet50 = r.out().lines().filter(l -> l.startsWith("resnet50 ")).toList();
        assertThat(resnet50).hasSize(5);
        assertThat(resnet50.get(0)).contains("timm/resnet50.tv_in1k");
    }

    @Test
    void fetchTakesAnotherCheckpointByItsTagAndNamesTheTagsThereAre() {
        CliRun.of("weights", "fetch", "resnet18", "--tag", "in22k").assertOneLineError("--tag in22k: resnet18 has "
                + "no published checkpoint tagged in22k (expected one of: tv_in1k, a1_in1k, fb_ssl_yfcc100m_ft_in1k, "
                + "fb_swsl_ig1b_ft_in1k)");
        CliRun.of("weights", "fetch", "cbr-small", "--tag", "a1_in1k").assertOneLineError("--tag a1_in1k: cbr-small "
                + "has no published checkpoint tagged a1_in1k (expected one of: none, it has no published weights)");
    }

    @Test
    void trainingFromACheckpointByItsTagNamesTheTagsAndRefusesWhereNoWeightsAreFetched() {
        String[] run = {"train", "--data", "synthetic:retina?n=40&size=32", "--model", "vit-small-p16", "--out",
            dir.resolve("run").toString()};
        CliRun.of(concat(run, "--init", "pretrained", "--checkpoint", "moco")).assertOneLineError("--checkpoint moco: "
                + "vit-small-p16 has no published checkpoint tagged moco (expected one of: augreg_in21k_ft_in1k, "
                + "augreg_in1k, augreg_in21k, fb_in1k, dino)");
        CliRun.of(concat(run, "--checkpoint", "dino")).assertOneLineError("--checkpoint picks published weights for a "
                + "transfer scheme without --weights; --init random uses none");
        CliRun.of(concat(run, "--init", "pretrained", "--checkpoint", "dino", "--weights", "/tmp/w.safetensors"))
                .assertOneLineError("--checkpoint picks published weights for a transfer scheme without --weights; "
                        + "drop it or --weights");
        System.setProperty("HF_HUB_OFFLINE", "1");
        System.setProperty("TRANSFUSION_CACHE", dir.toString());
        CliRun.of(concat(run, "--init", "pretrained", "--checkpoint", "dino")).assertOneLineError("HF_HUB_OFFLINE is "
                + "set and timm/vit_small_patch16_224.dino is not cached");
        assertThat(dir.resolve("run")).doesNotExist();
    }

    /**
     * {@code --checkpoint dino} fetches DINO's ViT-S/16 (from a stand-in hub on 127.0.0.1) and feeds the run the
     * ImageNet statistics it was trained with (timm's pretrained_cfg), where the card's default checkpoint has 0.5;
     * {@code --normalisation} overrides either.
     */
    @Test
    void aCheckpointByItsTagIsFetchedAndBringsItsOwnNormalisation() throws Exception {
        byte[] bytes = "stand-in weights".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(bytes));
        List<String> paths = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer hub = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getByName("127.0.0.1"), 0), 0);
        hub.createContext("/", x -> {
            paths.add(x.getRequestMethod() + " " + x.getRequestURI().getPath());
            x.getResponseHeaders().add("X-Linked-Etag", "\"" + sha + "\"");
            if (x.getRequestMethod().equals("HEAD")) {
                x.sendResponseHeaders(200, -1);
            } else {
                x.sendResponseHeaders(200, bytes.length);
                x.getResponseBody().write(bytes);
            }
            x.close();
        });
        hub.start();
        try {
            System.setProperty("HF_ENDPOINT", "http://127.0.0.1:" + hub.getAddress().getPort());
            System.setProperty("TRANSFUSION_CACHE", dir.toString());
            RunSpec spec = RunSpec.builder("synthetic:retina", "vit-small-p16").init(new InitScheme.Pretrained())
                    .build();
            RunSpec dino = TrainCommand.withPublishedWeights(spec, "dino");
            assertThat(paths).contains("GET /timm/vit_small_patch16_224.dino/resolve/main/model.safetensors");
            assertThat(dino.weights()).hasBinaryContent(bytes);
            assertThat(dino.normalisation()).isEqualTo(Normalisation.IMAGENET);
            RunSpec own = TrainCommand.withPublishedWeights(spec.toBuilder()
                    .normalisation(Normalisation.parse("0.5,0.5,0.5/0.25,0.25,0.25")).build(), "dino");
            assertThat(own.normalisation().std()).containsExactly(0.25, 0.25, 0.25);
            // the default checkpoint: the card's 0.5, stored as none
            assertThat(TrainCommand.withPublishedWeights(spec, null).normalisation()).isNull();
        } finally {
            System.clearProperty("HF_ENDPOINT");
            hub.stop(0);
        }
    }

    private static String[] concat(String[] a, String... b) {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(a), java.util.Arrays.stream(b))
                .toArray(String[]::new);
    }
}
