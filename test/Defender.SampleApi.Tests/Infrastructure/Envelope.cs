using System.Net;

namespace Defender.SampleApi.Tests.Infrastructure;

/// <summary>The sample tests' short name for the shared exact-envelope asserter (<see cref="DefenderEnvelope"/>).</summary>
public static class Envelope
{
    /// <summary>Checks status, headers and the exact body; returns the target as the body writes it.</summary>
    public static async Task<string> AssertAsync(HttpResponseMessage response, HttpStatusCode status, string code, string message) =>
        (await DefenderEnvelope.AssertErrorAsync(response, status, code, message)).ToString("D");
}
