using Generated.Kiota;
using Generated.Kiota.Models;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

namespace Consumer;

/// <summary>The Kiota client: each error response throws the generated <see cref="DefenderError"/> (an ApiException).</summary>
internal static class KiotaChecks
{
    private static DefenderClient Client(string api, string? token, bool wrongCaseBody = false) =>
        new(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: Http.Client(api, token, wrongCaseBody)) { BaseUrl = api });

    public static async Task RunAsync(Checks checks, string api, string rateLimitedApi)
    {
        await checks.RunAsync("kiota-machine-typed", async () =>
        {
            Machine? machine = await Client(api, "dev-reader").Api.Machines[Http.MachineId].GetAsync();
            Checks.Expect(Http.MachineId, machine?.Id, "id");
            Checks.Expect(true, machine?.ComputerDnsName is { Length: > 0 }, "computerDnsName");
            return "-";
        });

        await checks.RunAsync("kiota-404", () => ExpectError(
            () => Client(api, "dev-reader").Api.Machines[Http.MissingId].GetAsync(), 404, DefenderErrorCode.ResourceNotFound,
            $"Machine {Http.MissingId} was not found"));

        await checks.RunAsync("kiota-400-wrong-case", () => ExpectError(
            () => Client(api, "dev-admin", wrongCaseBody: true).Api.Machines[Http.MachineId].Isolate.PostAsync(new()), 400,
            DefenderErrorCode.MissingRequiredParameter, Http.WrongCaseMessage));

        await checks.RunAsync("kiota-401", () => ExpectError(
            () => Client(api, token: null).Api.Machines[Http.MachineId].GetAsync(), 401, DefenderErrorCode.Unauthorized, "Unauthorized"));

        await checks.RunAsync("kiota-429", async () =>
        {
            var limited = Client(rateLimitedApi, "dev-reader");
            try
            {
                await limited.Api.Machines[Http.MachineId].GetAsync(); // the one call the window allows
            }
            catch (DefenderError)
            {
                // already spent by another client
            }

            DefenderError? error = null;
            var target = await ExpectError(() => limited.Api.Machines[Http.MachineId].GetAsync(), 429, DefenderErrorCode.TooManyRequests, null, e => error = e);
            var retryAfter = error!.ResponseHeaders.First(h => h.Key.Equals("Retry-After", StringComparison.OrdinalIgnoreCase)).Value.Single();
            Checks.Expect(true, int.TryParse(retryAfter, out var seconds) && seconds > 0, "Retry-After " + retryAfter);
            return target;
        });
    }

    private static async Task<string> ExpectError<T>(Func<Task<T>> call, int status, DefenderErrorCode code, string? message, Action<DefenderError>? inspect = null)
    {
        try
        {
            await call();
        }
        catch (DefenderError e)
        {
            Checks.Expect(status, e.ResponseStatusCode, "status");
            Checks.Expect<DefenderErrorCode?>(code, e.Error?.Code, "code");
            if (message is not null)
            {
                Checks.Expect(message, e.Error?.Message, "message");
            }

            inspect?.Invoke(e);
            Guid target = e.Error?.Target ?? throw new InvalidOperationException("no target");
            return target.ToString();
        }

        throw new InvalidOperationException("no DefenderError was thrown");
    }
}
