using System.Runtime.CompilerServices;
using Defender.ErrorMiddleware;

// These types moved to Defender.ErrorMiddleware.Contracts (same namespace), so that clients can use them without ASP.NET Core;
// apps compiled against an earlier Defender.ErrorMiddleware still find them here.
[assembly: TypeForwardedTo(typeof(DefenderErrorCode))]
#pragma warning disable RS0026 // The forwarded constructors shipped as they are; the rule is about adding overloads.
[assembly: TypeForwardedTo(typeof(DefenderError))]
#pragma warning restore RS0026
[assembly: TypeForwardedTo(typeof(DefenderMessagePreset))]
