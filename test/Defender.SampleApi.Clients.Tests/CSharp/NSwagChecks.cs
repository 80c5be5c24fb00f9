using Generated.NSwag;

namespace Consumer;

/// <summary>The NSwag client: each error response throws <c>DefenderApiException&lt;DefenderError&gt;</c> with the body as Result.</summary>
internal static class NSwagChecks
{
    private static DefenderClient Client(string api, string? token, bool wrongCaseBody = false) =>
        new(Http.Client(api, token, wrongCaseBody)) { BaseUrl = api };

    public static async Task RunAsync(Checks checks, string api, string rateLimitedApi)
    {
        await checks.RunAsync("nswag-machine-typed", async () =>
        {
            Machine machine = await Client(api, "dev-reader").GetMachineAsync(Http.MachineId);
            Checks.Expect(Http.MachineId, machine.Id, "id");
            Checks.Expect(true, machine.ComputerDnsName is { Length: > 0 }, "computerDnsName");
            return "-";
        });

        await checks.RunAsync("nswag-404", () => ExpectError(
            () => Client(api, "dev-reader").GetMachineAsync(Http.MissingId), 404, DefenderErrorCode.ResourceNotFound,
            $"Machine {Http.MissingId} was not found"));

        await checks.RunAsync("nswag-400-wrong-case", () => ExpectError(
            () => Client(api, "dev-admin", wrongCaseBody: true).IsolateMachineAsync(Http.MachineId, new()), 400,
            DefenderErrorCode.MissingRequiredParameter, Http.WrongCaseMessage));

        await checks.RunAsync("nswag-401", () => ExpectError(
            () => Client(api, token: null).GetMachineAsync(Http.MachineId), 401, DefenderErrorCode.Unauthorized, "Unauthorized"));

        await checks.RunAsync("nswag-429", async () =>
        {
            var limited = Client(rateLimitedApi, "dev-reader");
            try
            {
                await limited.GetMachineAsync(Http.MachineId); // the one call the window allows
            }
            catch (DefenderApiException)
            {
                // already spent by another client
            }

            DefenderApiException<DefenderError>? error = null;
            var target = await ExpectError(() => limited.GetMachineAsync(Http.MachineId), 429, DefenderErrorCode.TooManyRequests, null, e => error = e);
            var retryAfter = error!.Headers.First(h => h.Key.Equals("Retry-After", StringComparison.OrdinalIgnoreCase)).Value.Single();
            Checks.Expect(true, int.TryParse(retryAfter, out var seconds) && seconds > 0, "Retry-After " + retryAfter);
            return target;
        });
    }

    private static async Task<string> ExpectError<T>(Func<Task<T>> call, int status, DefenderErrorCode code, string? message,
        Action<DefenderApiException<DefenderError>>? inspect = null)
    {
        try
        {
            await call();
        }
        catch (DefenderApiException<DefenderError> e)
        {
            Checks.Expect(status, e.StatusCode, "status");
            Checks.Expect(code, e.Result.Error.Code, "code");
            if (message is not null)
            {
                Checks.Expect(message, e.Result.Error.Message, "message");
            }

            inspect?.Invoke(e);
            Guid target = e.Result.Error.Target;
            return target.ToString();
        }

        throw new InvalidOperationException("no DefenderApiException<DefenderError> was thrown");
    }
}
