using System.Security.Claims;
using Defender.SampleApi.Auth;

namespace Defender.SampleApi.Data;

/// <summary>
/// The tenant a <see cref="SampleDbContext"/> reads and writes: the caller's (its token's <c>tid</c>), or the one set for work
/// outside a request (seeding). With none, the context sees no row and refuses to add one.
/// </summary>
internal sealed class SampleTenant(IHttpContextAccessor accessor)
{
    private string? _id;

    public string? Id
    {
        get => _id ?? accessor.HttpContext?.User.FindFirstValue(BearerTokenHandler.TenantClaim);
        set => _id = value;
    }
}
