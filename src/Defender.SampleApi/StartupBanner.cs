using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Defender.SampleApi;

/// <summary>Tells a newcomer, once the server listens, where it is and what to try first.</summary>
internal static partial class StartupBanner
{
    public static void Print(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null || addresses.Count == 0)
        {
            return;
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Defender.SampleApi");
        foreach (var address in addresses)
        {
            // The development tokens work in Development only, so only there is one suggested.
            if (app.Environment.IsDevelopment())
            {
                Listening(logger, address);
            }
            else
            {
                ListeningWithConfiguredTokens(logger, address);
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Defender sample API listening on {Address} — Swagger UI: {Address}/swagger — try: curl -i -H \"Authorization: Bearer dev-admin\" {Address}/api/machines/nosuch")]
    private static partial void Listening(ILogger logger, string address);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "Defender sample API listening on {Address} — Swagger UI: {Address}/swagger — send a token of SampleApi:Tokens as Authorization: Bearer <token>")]
    private static partial void ListeningWithConfiguredTokens(ILogger logger, string address);
}
