package dev.stdb.secure.testing.browser;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import java.util.function.BooleanSupplier;

/**
 * A real headless Chromium (/usr/bin/chromium through /usr/bin/chromedriver) that signs in on Keycloak's own pages:
 * the device user-code form, the login form and the consent form, in whatever order Keycloak shows them. Every wait
 * is on a page condition with a timeout; a failure says which page it was on (never a password or code).
 */
public final class Chrome implements AutoCloseable {
    public static final String BINARY = "/usr/bin/chromium";
    public static final String DRIVER = "/usr/bin/chromedriver";
    private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(60);

    private final ChromeDriver driver;
    private final Path profile;

    private Chrome(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Starts Chromium; fails (never skips) with what is missing or what went wrong. */
    public static Chrome start() {
        for (String f : new String[] {BINARY, DRIVER}) {
            if (!new File(f).canExecute()) {
                throw new IllegalStateException("headless Chromium is required for the interactive OAuth tests, but "
                        + f + " is missing; install chromium and chromium-driver (.ci/run does)");
            }
        }
        Path profile;
        try {
            profile = Files.createTempDirectory("stdb-chrome-");
        } catch (java.io.IOException e) {
            throw new IllegalStateException("no temporary folder for the Chromium profile", e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--lang=en-US",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER))
                .usingAnyFreePort().withTimeout(Duration.ofSeconds(120)).build();
        try {
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(PAGE_TIMEOUT);
            return new Chrome(driver, profile);
        } catch (WebDriverException e) {
            throw new IllegalStateException("headless Chromium (" + BINARY + " via " + DRIVER + ") did not start: "
                    + e.getMessage(), e);
        }
    }

    /** Forgets every cookie (Keycloak's SSO session), so the next sign-in shows the login form again. */
    public void logout() {
        driver.manage().deleteAllCookies();
    }

    /**
     * Opens {@code uri} and works through Keycloak's pages: enters {@code userCode} (if not null) on the device
     * form, signs in as {@code user}, and on a consent page grants ({@code approve}) or denies. Returns when a page
     * shows none of these forms (Keycloak's result page, or the loopback listener's page); returns its text.
     */
    public synchronized String signIn(URI uri, String userCode, String user, String password, boolean approve) {
        driver.get(uri.toString());
        for (int step = 0; step < 8; step++) {
            awaitLoaded();
            WebElement acted;
            List<WebElement> code = driver.findElements(By.name("device_user_code"));
            List<WebElement> pass = driver.findElements(By.id("password"));
            List<WebElement> cancel = driver.findElements(By.id("kc-cancel"));
            if (!code.isEmpty() && userCode != null) {
                code.get(0).clear();
                code.get(0).sendKeys(userCode);
                acted = code.get(0);
                acted.submit();
            } else if (!pass.isEmpty()) {
                WebElement name = driver.findElement(By.id("username"));
                name.clear();
                name.sendKeys(user);
                pass.get(0).sendKeys(password);
                acted = pass.get(0);
                driver.findElement(By.id("kc-login")).click();
            } else if (!cancel.isEmpty()) {
                acted = cancel.get(0);
                if (approve) {
                    driver.findElement(By.id("kc-login")).click();
                } else {
                    cancel.get(0).click();
                }
            } else {
                return driver.findElement(By.tagName("body")).getText();
            }
            int s = step;
            until(() -> stale(acted), () -> "Keycloak did not leave page '" + driver.getTitle() + "' (" + path()
                    + ") within " + PAGE_TIMEOUT.toSeconds() + " s after step " + s);
        }
        throw new IllegalStateException("still on Keycloak page '" + driver.getTitle() + "' (" + path()
                + ") after 8 steps: " + driver.findElement(By.tagName("body")).getText());
    }

    private void awaitLoaded() {
        until(() -> "complete".equals(((JavascriptExecutor) driver).executeScript("return document.readyState")),
                () -> "page " + path() + " did not finish loading within " + PAGE_TIMEOUT.toSeconds() + " s");
    }

    private static boolean stale(WebElement element) {
        try {
            element.isEnabled();
            return false;
        } catch (org.openqa.selenium.StaleElementReferenceException gone) {
            return true;
        }
    }

    /** Checks {@code condition} every 100 ms until it holds, or fails after the page timeout. */
    private static void until(BooleanSupplier condition, java.util.function.Supplier<String> failure) {
        long deadline = System.nanoTime() + PAGE_TIMEOUT.toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (WebDriverException navigating) {
                // the page is being replaced: ask again
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(failure.get());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** The current page's path, without query (which may carry codes). */
    private String path() {
        try {
            URI u = URI.create(driver.getCurrentUrl());
            return u.getScheme() + "://" + u.getAuthority() + u.getPath();
        } catch (RuntimeException e) {
            return "?";
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (java.io.IOException | RuntimeException ignored) {
                // a temporary folder
            }
        }
    }
}
