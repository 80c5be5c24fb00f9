namespace Defender.SampleApi.Endpoints;

/// <summary>A deliberate server fault, mapped only when <c>SampleApi:EnableFaultEndpoint</c> is true.</summary>
internal static class FaultEndpoints
{
    /// <summary>What the fault's exception says; clients must never see it (the log does).</summary>
    public const string SecretMessage = "Simulated fault: Server=db.contoso.local;Password=hunter2";

    public static RouteGroupBuilder MapFaultEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/fault", ThrowFault)
            .WithTags("Diagnostics").WithName("Fault").WithSummary("Throws, to show that a 500 carries no details.")
            .ExcludeFromDescription();
        return api;
    }

    internal static IResult ThrowFault() => throw new InvalidOperationException(SecretMessage);
}
