using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Defender.ErrorMiddleware.AotApp;

/// <summary>
/// Defender's request bodies are PascalCase and case-sensitive. Public: .NET 10's validations generator (AddValidation())
/// leaves internal types out, and would silently validate nothing.
/// </summary>
public sealed class IsolateRequest
{
    [Required]
    [JsonPropertyName("Comment")]
    public string? Comment { get; set; }
}

public sealed record Machine(string Id, string ComputerDnsName)
{
    public static Machine Known { get; } = new("1e5bc9d7e413ddd7902c2932e418702b84d0cc07", "mymachine1.contoso.com");
}

public sealed record MachineAction(string MachineId, string Type, string RequestorComment);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IsolateRequest))]
[JsonSerializable(typeof(Machine))]
[JsonSerializable(typeof(MachineAction))]
internal sealed partial class AppJsonContext : JsonSerializerContext;

/// <summary>A bearer scheme without a token service: <c>Bearer dev</c> signs in; the challenge names the scheme.</summary>
internal sealed class TokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
        Task.FromResult(Request.Headers.Authorization.ToString() == "Bearer dev"
            ? AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "dev")], SchemeName)), SchemeName))
            : AuthenticateResult.NoResult());

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = SchemeName;
        return base.HandleChallengeAsync(properties);
    }
}
