package e2e;

/** The application the agent is attached to: it only proves the JVM got past premain. */
public final class App {
    private App() {}

    public static void main(String[] args) {
        System.out.println("app started");
    }
}
