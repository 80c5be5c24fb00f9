#if TYPED_BODIES
using Kiota = Generated.Kiota.Models;
using NSwag = Generated.NSwag;

namespace Consumer;

/// <summary>
/// Compiled in a second build: every request body and list page as a typed model in both generated clients. A body the
/// document leaves without a schema is an UntypedNode (Kiota) or object (NSwag) and this file does not compile.
/// </summary>
internal static class Bodies
{
    public static async Task RunAsync(Checks checks, string api)
    {
        _ = new Kiota.IsolateRequest { Comment = "Contain" };
        _ = new Kiota.UnisolateRequest { Comment = "Release" };
        _ = new Kiota.LiveResponseRequest { Comment = "Collect", Commands = [] };
        _ = new Kiota.ImportIndicatorsRequest { Indicators = [] };
        _ = new NSwag.IsolateRequest { Comment = "Contain" };
        _ = new NSwag.UnisolateRequest { Comment = "Release" };
        _ = new NSwag.LiveResponseRequest { Comment = "Collect", Commands = [] };
        _ = new NSwag.ImportIndicatorsRequest { Indicators = [] };

        await checks.RunAsync("kiota-list-typed", async () =>
        {
            var client = new Generated.Kiota.DefenderClient(new Microsoft.Kiota.Http.HttpClientLibrary.HttpClientRequestAdapter(
                new Microsoft.Kiota.Abstractions.Authentication.AnonymousAuthenticationProvider(), httpClient: Http.Client(api, "dev-reader")) { BaseUrl = api });
            var page = await client.Api.Machines.GetAsync();
            Kiota.Machine first = page!.Value![0];
            Checks.Expect(true, first.Id is { Length: > 0 }, "id");
            return "-";
        });

        await checks.RunAsync("nswag-list-typed", async () =>
        {
            var page = await new NSwag.DefenderClient(Http.Client(api, "dev-reader")) { BaseUrl = api }.ListMachinesAsync();
            NSwag.Machine first = page.Value!.First();
            Checks.Expect(true, first.Id is { Length: > 0 }, "id");
            return "-";
        });
    }
}
#endif
