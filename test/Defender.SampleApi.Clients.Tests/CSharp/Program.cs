// Calls the sample through the generated clients and prints one line per check: "PASS <check> <target>" or "FAIL <check>: why".
// Usage: Consumer <api> <rate-limited api> [bodies]
using System.Net.Http.Headers;
using System.Text;
using Consumer;

var api = args[0];
var rateLimitedApi = args[1];
var checks = new Checks();
if (args.Length > 2 && args[2] == "bodies")
{
#if TYPED_BODIES
    await Bodies.RunAsync(checks, api);
#endif
}
else
{
    await KiotaChecks.RunAsync(checks, api, rateLimitedApi);
    await NSwagChecks.RunAsync(checks, api, rateLimitedApi);
}

return checks.Failures;

namespace Consumer
{
    internal sealed class Checks
    {
        public int Failures { get; private set; }

        /// <summary>Runs a check; it returns the error's target (or "-") and throws when something is wrong.</summary>
        public async Task RunAsync(string name, Func<Task<string>> check)
        {
            try
            {
                Console.WriteLine($"PASS {name} {await check()}");
            }
            catch (Exception e)
            {
                Failures++;
                Console.WriteLine($"FAIL {name}: {e.GetType().Name}: {e.Message}".ReplaceLineEndings(" "));
            }
        }

        public static void Expect<T>(T expected, T actual, string what)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
            {
                throw new InvalidOperationException($"{what}: expected {expected}, got {actual}");
            }
        }
    }

    internal static class Http
    {
        public const string MachineId = "188f657e6e881ed9209b8867ebe514e532a664ca";
        public const string MissingId = "0000000000000000000000000000000000000000";
        public const string WrongCaseMessage = "Parameter Comment is missing. Found 'comment': body parameters are case-sensitive.";

        public static HttpClient Client(string baseAddress, string? token, bool wrongCaseBody = false)
        {
            var client = new HttpClient(wrongCaseBody ? new WrongCaseBodyHandler { InnerHandler = new HttpClientHandler() } : new HttpClientHandler())
            {
                BaseAddress = new Uri(baseAddress),
            };
            if (token is not null)
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            return client;
        }
    }

    /// <summary>
    /// Sends what a caller with a serializer set to camelCase would: <c>{"comment":…}</c>. The typed models cannot express
    /// that bug, so the wire is changed underneath the generated client, whose error handling stays as generated.
    /// </summary>
    internal sealed class WrongCaseBodyHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Content = new StringContent("{\"comment\":\"Contain\"}", Encoding.UTF8, "application/json");
            return base.SendAsync(request, cancellationToken);
        }
    }
}
